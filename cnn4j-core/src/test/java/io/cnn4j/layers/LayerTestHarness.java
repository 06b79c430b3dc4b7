package io.cnn4j.layers;

import io.cnn4j.kernels.Backends;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The generic layer test, in the spirit of Keras' {@code run_layer_test}: for any layer it checks
 * the output shape, the parameter count, the config round trip and (central finite differences)
 * the input and weight gradients, using only the public {@link Layer} API, so that it validates
 * whatever kernels sit behind Conv2D, Dense and pooling.
 *
 * <p>Gradients are checked on a random linear functional of the output, L(x) = Σ r·y(x), accumulated
 * in double: dL/dy = r is what backward receives, and each dL/dx_i is compared with
 * (L(x + ε eᵢ) − L(x − ε eᵢ)) / 2ε. The layers compute in float32, so ε is ~1e-2 and the tolerance is
 * relative (see {@link #close}).
 */
final class LayerTestHarness {
    /** The backend the library would pick, two threads: the tests check the production path. */
    static BuildContext context(long seed) {
        return new BuildContext(new SplittableRandom(seed), Backends.select(), 2);
    }

    static <L extends Layer> L built(L layer, long seed, int... itemShape) {
        layer.build(itemShape, context(seed));
        return layer;
    }

    static Tensor uniform(SplittableRandom r, double lo, double hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return t;
    }

    /** Values that are pairwise at least {@code gap} apart (a shuffled arithmetic sequence), so max pooling has no near-ties. */
    static Tensor distinct(SplittableRandom r, double gap, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        int[] perm = new int[d.length];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        for (int i = perm.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((perm[i] - d.length / 2.0) * gap);
        }
        return t;
    }

    /** Values at least {@code margin} away from 0 (for ReLU/ELU, whose derivative jumps at 0). */
    static Tensor awayFromZero(SplittableRandom r, double margin, double max, int... shape) {
        Tensor t = uniform(r, margin, max, shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            if (r.nextBoolean()) {
                d[i] = -d[i];
            }
        }
        return t;
    }

    /** Keras' conv_utils.conv_output_length for dilation 1, written independently of the library. */
    static int kerasOutputLength(int in, int kernel, int stride, String padding) {
        int length = padding.equals("same") ? in : in - kernel + 1;
        return (length + stride - 1) / stride;
    }

    /** A new layer of the same class from {@code layer.config()} (the constructor every layer has). */
    static Layer fromConfig(Layer layer) {
        LayerConfig c = layer.config();
        try {
            return layer.getClass().getConstructor(c.getClass()).newInstance(c);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(layer.getClass().getSimpleName() + " has no public constructor from its "
                    + c.getClass().getName(), e);
        }
    }

    /**
     * Shapes, parameter count and config round trip: the layer rebuilt from its config has an
     * equal config and, built from the same seed, the same parameters and the same inference output.
     */
    static void checkStructure(Layer layer, int[] itemShape, int[] expectedOutput, long expectedParams, Tensor x) {
        LayerConfig before = layer.config();
        Layer copy = fromConfig(layer);
        assertThat(copy.config()).as("config round trip of %s", layer).isEqualTo(before);
        assertThat(copy.config().hashCode()).isEqualTo(before.hashCode());
        assertThat(copy.className()).isEqualTo(layer.className());

        built(layer, 11, itemShape);
        built(copy, 11, itemShape);
        assertThat(layer.outputShape()).as("output shape of %s on %s", layer, Shapes.toString(itemShape))
                .containsExactly(expectedOutput);
        assertThat(layer.parameterCount()).as("parameter count of %s", layer).isEqualTo(expectedParams);
        assertThat(copy.parameterCount()).isEqualTo(expectedParams);
        for (int i = 0; i < layer.parameters().size(); i++) {
            assertThat(copy.parameters().get(i).value()).isEqualTo(layer.parameters().get(i).value());
            assertThat(copy.parameters().get(i).shape()).isEqualTo(layer.parameters().get(i).shape());
        }
        float[] input = x.data().clone();
        Tensor y = layer.forward(x, false).copy();
        assertThat(y.shape()).containsExactly(Shapes.prepend(x.dim(0), expectedOutput));
        assertThat(copy.forward(x, false).data()).isEqualTo(y.data());
        for (float v : y.data()) {
            assertThat(v).isFinite();
        }
        // each sample's output does not depend on the rest of the batch
        int item = y.itemSize();
        for (int b = 0; b < x.dim(0); b++) {
            float[] single = layer.forward(x.slice(b, 1), false).data();
            for (int i = 0; i < item; i++) {
                assertThat(single[i]).as("%s: sample %d alone vs in the batch, output %d", layer, b, i)
                        .isCloseTo(y.data()[b * item + i], org.assertj.core.api.Assertions.within(1e-5f * (1 + Math.abs(single[i]))));
            }
        }
        // forward and backward never modify their input
        Tensor yTrain = layer.forward(x, true);
        layer.backward(new Tensor(new float[yTrain.size()], yTrain.shape()));
        assertThat(x.data()).as("%s left its input unchanged", layer).isEqualTo(input);
    }

    /** How a gradient check went: the worst element and the relative error of the whole vector. */
    record Report(String what, double worstAbsError, double relativeNormError, int checked) {
    }

    /**
     * Checks dL/dx and dL/dw of a built layer at {@code x}. {@code beforeForward} runs before every
     * forward pass (e.g. to reseed a dropout layer so that each pass uses the same mask).
     */
    static List<Report> checkGradients(Layer layer, Tensor x, boolean training, Runnable beforeForward,
                                       double eps, double rtol, double atol, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int outSize = Math.toIntExact(x.dim(0) * Shapes.size(layer.outputShape()));
        double[] coef = new double[outSize];
        float[] coefF = new float[outSize];
        for (int i = 0; i < outSize; i++) {
            coef[i] = r.nextDouble() * 2 - 1;
            coefF[i] = (float) coef[i];
            coef[i] = coefF[i]; // the functional backward sees, exactly
        }
        // analytic
        beforeForward.run();
        layer.forward(x, training);
        for (Parameter p : layer.parameters()) {
            p.zeroGrad();
        }
        Tensor dx = layer.backward(new Tensor(coefF.clone(), Shapes.prepend(x.dim(0), layer.outputShape())));
        assertThat(dx).as("input gradient of %s", layer).isNotNull();
        assertThat(dx.shape()).containsExactly(x.shape());
        float[] dxAnalytic = dx.data().clone();
        List<float[]> dwAnalytic = new ArrayList<>();
        for (Parameter p : layer.parameters()) {
            dwAnalytic.add(p.grad().clone());
        }

        List<Report> reports = new ArrayList<>();
        reports.add(compare(layer + " d/dinput", x.data(), dxAnalytic, layer, x, training, beforeForward, coef, eps, rtol, atol));
        for (int k = 0; k < layer.parameters().size(); k++) {
            Parameter p = layer.parameters().get(k);
            reports.add(compare(layer + " d/d" + p.name(), p.value(), dwAnalytic.get(k), layer, x, training, beforeForward,
                    coef, eps, rtol, atol));
        }
        return reports;
    }

    private static Report compare(String what, float[] values, float[] analytic, Layer layer, Tensor x, boolean training,
                                  Runnable beforeForward, double[] coef, double eps, double rtol, double atol) {
        double worst = 0, diffSq = 0, normSq = 0;
        StringBuilder failures = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < values.length; i++) {
            float saved = values[i];
            values[i] = (float) (saved + eps);
            double up = functional(layer, x, training, beforeForward, coef);
            values[i] = (float) (saved - eps);
            double down = functional(layer, x, training, beforeForward, coef);
            // the step actually taken in float
            double step = (double) (float) (saved + eps) - (double) (float) (saved - eps);
            values[i] = saved;
            double numeric = (up - down) / step;
            double a = analytic[i];
            double err = Math.abs(numeric - a);
            worst = Math.max(worst, err);
            diffSq += err * err;
            normSq += Math.max(numeric * numeric, a * a);
            if (!close(numeric, a, rtol, atol)) {
                if (bad++ < 5) {
                    failures.append(String.format(Locale.ROOT, "%n  [%d] numeric %.6g, analytic %.6g", i, numeric, a));
                }
            }
        }
        double rel = normSq == 0 ? 0 : Math.sqrt(diffSq / normSq);
        if (bad > 0) {
            fail(what + ": " + bad + " of " + values.length + " gradient entries differ from finite differences" + failures);
        }
        assertThat(rel).as("%s: relative error of the whole gradient", what).isLessThanOrEqualTo(rtol);
        return new Report(what, worst, rel, values.length);
    }

    static boolean close(double numeric, double analytic, double rtol, double atol) {
        return Math.abs(numeric - analytic) <= atol + rtol * Math.max(Math.abs(numeric), Math.abs(analytic));
    }

    static double functional(Layer layer, Tensor x, boolean training, Runnable beforeForward, double[] coef) {
        beforeForward.run();
        float[] y = layer.forward(x, training).data();
        double s = 0;
        for (int i = 0; i < coef.length; i++) {
            s += coef[i] * y[i];
        }
        return s;
    }

    /**
     * One gradient step on a squared error to a random target lowers the loss: on the weights for
     * a layer with parameters, otherwise on the input. The step is {@code fraction}·L/‖g‖² along −g,
     * so that its first-order decrease is that fraction of the loss whatever the layer's scale.
     * Returns {before, after}.
     */
    static double[] trainingStepLowersLoss(Layer layer, Tensor x, boolean training, Runnable beforeForward, double fraction, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        beforeForward.run();
        Tensor y = layer.forward(x, training);
        float[] target = new float[y.size()];
        for (int i = 0; i < target.length; i++) {
            target[i] = (float) (r.nextDouble() * 2 - 1);
        }
        double before = squaredError(y.data(), target);
        float[] grad = new float[y.size()];
        for (int i = 0; i < grad.length; i++) {
            grad[i] = y.data()[i] - target[i];
        }
        for (Parameter p : layer.parameters()) {
            p.zeroGrad();
        }
        Tensor dx = layer.backward(new Tensor(grad, y.shape()));
        Tensor x2 = x.copy();
        double gradSq = 0;
        if (layer.parameters().isEmpty()) {
            for (float g : dx.data()) {
                gradSq += (double) g * g;
            }
        } else {
            for (Parameter p : layer.parameters()) {
                for (float g : p.grad()) {
                    gradSq += (double) g * g;
                }
            }
        }
        assertThat(gradSq).as("gradient of %s is zero", layer).isPositive();
        double lr = fraction * before / gradSq;
        if (layer.parameters().isEmpty()) {
            float[] xs = x2.data(), g = dx.data();
            for (int i = 0; i < xs.length; i++) {
                xs[i] -= (float) (lr * g[i]);
            }
        } else {
            for (Parameter p : layer.parameters()) {
                float[] w = p.value(), g = p.grad();
                for (int i = 0; i < w.length; i++) {
                    w[i] -= (float) (lr * g[i]);
                }
            }
        }
        beforeForward.run();
        double after = squaredError(layer.forward(x2, training).data(), target);
        assertThat(after).as("squared error of %s after one gradient step (before %s)", layer, before).isLessThan(before);
        return new double[]{before, after};
    }

    private static double squaredError(float[] y, float[] t) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            double d = y[i] - t[i];
            s += 0.5 * d * d;
        }
        return s;
    }

    private LayerTestHarness() {
    }
}
