package io.cnn4j.losses;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

/**
 * Keras {@code categorical_crossentropy} on probabilities: −Σ y·log(clip(p, ε, 1 − ε)) averaged over
 * the batch, ε = 1e-7 (Keras' backend epsilon). Targets are one-hot (or soft) rows.
 */
public final class CategoricalCrossentropy implements Loss {
    public static final double EPSILON = 1e-7;

    @Override
    public String name() {
        return "categorical_crossentropy";
    }

    // yPred: (N, K), yTrue: (N, K) -> scalar
    @Override
    public double compute(Tensor yPred, Tensor yTrue) {
        int n = yPred.dim(0), k = yPred.dim(1);
        float[] p = yPred.data(), y = yTrue.data();
        double total = 0;
        for (int i = 0; i < n * k; i++) {
            if (y[i] != 0f) {
                double q = Math.min(Math.max(p[i], EPSILON), 1 - EPSILON);
                total -= y[i] * Math.log(q);
            }
        }
        return total / n;
    }

    // yPred: (N, K), yTrue: (N, K) -> grad: (N, K)
    @Override
    public void gradient(Tensor yPred, Tensor yTrue, Tensor grad) {
        int n = yPred.dim(0);
        float[] p = yPred.data(), y = yTrue.data(), g = grad.data();
        for (int i = 0; i < p.length; i++) {
            boolean clipped = p[i] < EPSILON || p[i] > 1 - EPSILON;
            g[i] = clipped ? 0f : (float) (-y[i] / (p[i] * (double) n));
        }
    }

    @Override
    public boolean gradientThroughSoftmax(Tensor yPred, Tensor yTrue, Tensor grad) {
        int n = yPred.dim(0), k = yPred.dim(1);
        float[] p = yPred.data(), y = yTrue.data(), g = grad.data();
        float inv = 1f / n;
        for (int r = 0; r < n * k; r += k) {
            float sumY = 0f;
            for (int j = r; j < r + k; j++) {
                sumY += y[j];
            }
            // d/dz of −Σ y log softmax(z) is p·Σy − y (= p − y for one-hot rows)
            for (int j = r; j < r + k; j++) {
                g[j] = (p[j] * sumY - y[j]) * inv;
            }
        }
        return true;
    }

    @Override
    public void checkTargets(Tensor yTrue, int[] predictionShape) {
        int[] s = yTrue.shape();
        if (s.length != 2 || s[1] != predictionShape[1]) {
            throw new IllegalArgumentException("categorical_crossentropy expects one-hot targets of shape "
                    + Shapes.withBatch(predictionShape[1]) + " but got " + Shapes.toString(s)
                    + (s.length == 1 ? " (integer labels: use toCategorical or sparse_categorical_crossentropy)" : ""));
        }
    }

    @Override
    public boolean correct(Tensor yPred, Tensor yTrue, int i) {
        int k = yPred.dim(1);
        return argmax(yPred.data(), i * k, k) == argmax(yTrue.data(), i * k, k);
    }

    static int argmax(float[] v, int off, int len) {
        int best = 0;
        for (int j = 1; j < len; j++) {
            if (v[off + j] > v[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
