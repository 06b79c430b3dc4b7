package io.cnn4j.model;

import io.cnn4j.layers.Parameter;
import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Generated data and helpers shared by the model tests. */
final class ModelTestData {
    private ModelTestData() {
    }

    static Tensor uniform(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) r.nextDouble();
        }
        return t;
    }

    static Tensor randomOneHot(long seed, int n, int classes) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(classes);
        }
        return Utils.toCategorical(labels, classes);
    }

    /** A copy of every parameter's values, in model order. */
    static List<float[]> snapshot(Sequential model) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            out.add(p.value().clone());
        }
        return out;
    }

    /**
     * Two classes of 16×16 single-channel images: a hollow 5×5 square or a 5×5 cross (plus sign),
     * drawn at a random position with intensity in [0.6, 1], on Gaussian noise of σ 0.15.
     * Returns {x (n, 16, 16, 1), labels as int[] packed in a (n) tensor}.
     */
    static Tensor[] squaresAndCrosses(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int size = 16;
        Tensor x = Tensor.zeros(n, size, size, 1);
        float[] labels = new float[n];
        float[] d = x.data();
        for (int i = 0; i < n; i++) {
            int base = i * size * size;
            for (int p = 0; p < size * size; p++) {
                d[base + p] = (float) (0.15 * gaussian(r));
            }
            int label = r.nextInt(2);
            labels[i] = label;
            int top = r.nextInt(size - 4), left = r.nextInt(size - 4);
            float ink = (float) (0.6 + 0.4 * r.nextDouble());
            for (int dy = 0; dy < 5; dy++) {
                for (int dx = 0; dx < 5; dx++) {
                    boolean on = label == 0
                            ? (dy == 0 || dy == 4 || dx == 0 || dx == 4) // square outline
                            : (dy == 2 || dx == 2);                       // cross
                    if (on) {
                        d[base + (top + dy) * size + left + dx] += ink;
                    }
                }
            }
        }
        return new Tensor[]{x, new Tensor(labels, n)};
    }

    private static double gaussian(SplittableRandom r) {
        // Box–Muller
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
