package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.cnn4j.layers.LayerTestHarness.awayFromZero;
import static io.cnn4j.layers.LayerTestHarness.checkGradients;
import static io.cnn4j.layers.LayerTestHarness.checkStructure;
import static io.cnn4j.layers.LayerTestHarness.distinct;
import static io.cnn4j.layers.LayerTestHarness.kerasOutputLength;
import static io.cnn4j.layers.LayerTestHarness.trainingStepLowersLoss;
import static io.cnn4j.layers.LayerTestHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generic layer harness run on every layer type, in both padding modes and with strides. */
class LayerHarnessTest {
    private static final Runnable NOTHING = () -> {
    };
    /** Finite-difference step and tolerances for float32 layers (see LayerTestHarness). */
    private static final double EPS = 1e-2, RTOL = 2e-3, ATOL = 2e-3;

    // ---------------------------------------------------------------- Conv2D

    static Stream<Arguments> convCases() {
        List<Arguments> cases = new ArrayList<>();
        String[] activations = {"linear", "tanh", "elu", "sigmoid"};
        int[][] kernels = {{3, 3}, {2, 3}, {1, 1}};
        int[][] strides = {{1, 1}, {2, 2}, {2, 1}};
        int a = 0;
        for (String padding : new String[]{"valid", "same"}) {
            for (int[] k : kernels) {
                for (int[] s : strides) {
                    cases.add(Arguments.of(k[0], k[1], s[0], s[1], padding, activations[a++ % activations.length]));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "Conv2D kernel ({0},{1}) strides ({2},{3}) {4} {5}")
    @MethodSource("convCases")
    void conv2d(int kh, int kw, int sh, int sw, String padding, String activation) {
        // 7×6 input: with "same" and an even kernel or stride 2 the padding is asymmetric
        int h = 7, w = 6, c = 2, f = 3;
        Conv2D conv = new Conv2D(f, kh, kw).strides(sh, sw).padding(padding).activation(activation);
        SplittableRandom r = new SplittableRandom(kh * 31L + kw * 7 + sh * 3 + sw + padding.length());
        Tensor x = uniform(r, -1, 1, 2, h, w, c);
        int[] out = {kerasOutputLength(h, kh, sh, padding), kerasOutputLength(w, kw, sw, padding), f};
        checkStructure(conv, new int[]{h, w, c}, out, (long) kh * kw * c * f + f, x);
        // glorot weights are small; make the bias non-zero so that it matters
        float[] b = conv.parameters().get(1).value();
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextDouble() - 0.5);
        }
        checkGradients(conv, x, true, NOTHING, EPS, RTOL, ATOL, 5);
        trainingStepLowersLoss(conv, x, true, NOTHING, 0.05, 6);
    }

    @Test
    void conv2dWithoutBiasAndWithRelu() {
        Conv2D conv = new Conv2D(4, 3, 3).useBias(false).activation("relu").padding("same");
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = uniform(r, -1, 1, 2, 5, 5, 2);
        checkStructure(conv, new int[]{5, 5, 2}, new int[]{5, 5, 4}, 3 * 3 * 2 * 4, x);
        assertThat(conv.parameters()).hasSize(1);
        // ReLU has a kink at 0: keep pre-activations away from it by checking a functional of a
        // layer whose outputs are all positive (positive kernel, positive inputs)
        float[] k = conv.parameters().get(0).value();
        for (int i = 0; i < k.length; i++) {
            k[i] = Math.abs(k[i]) + 0.05f;
        }
        Tensor xp = uniform(r, 0.2, 1, 2, 5, 5, 2);
        checkGradients(conv, xp, true, NOTHING, EPS, RTOL, ATOL, 7);
    }

    // ---------------------------------------------------------------- Dense

    static Stream<String> denseActivations() {
        return Stream.of("linear", "tanh", "sigmoid", "elu", "softmax");
    }

    @ParameterizedTest(name = "Dense activation {0}")
    @MethodSource("denseActivations")
    void dense(String activation) {
        Dense dense = new Dense(4, activation);
        SplittableRandom r = new SplittableRandom(activation.hashCode());
        Tensor x = uniform(r, -1, 1, 3, 5);
        checkStructure(dense, new int[]{5}, new int[]{4}, 5 * 4 + 4, x);
        float[] b = dense.parameters().get(1).value();
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextDouble() - 0.5);
        }
        checkGradients(dense, x, true, NOTHING, EPS, RTOL, ATOL, 8);
        trainingStepLowersLoss(dense, x, true, NOTHING, 0.05, 9);
    }

    @Test
    void denseWithoutBias() {
        Dense dense = new Dense(3).useBias(false).activation("tanh");
        Tensor x = uniform(new SplittableRandom(4), -1, 1, 2, 6);
        checkStructure(dense, new int[]{6}, new int[]{3}, 18, x);
        checkGradients(dense, x, true, NOTHING, EPS, RTOL, ATOL, 10);
    }

    // ---------------------------------------------------------------- pooling

    static Stream<Arguments> poolCases() {
        List<Arguments> cases = new ArrayList<>();
        int[][] pools = {{2, 2}, {3, 3}, {3, 2}};
        int[][] strides = {null, {2, 1}, {1, 1}, {2, 2}};
        for (String kind : new String[]{"max", "average"}) {
            for (String padding : new String[]{"valid", "same"}) {
                for (int[] p : pools) {
                    for (int[] s : strides) {
                        cases.add(Arguments.of(kind, p[0], p[1], s == null ? 0 : s[0], s == null ? 0 : s[1], padding));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} pooling ({1},{2}) strides ({3},{4}) {5}")
    @MethodSource("poolCases")
    void pooling(String kind, int ph, int pw, int sh, int sw, String padding) {
        int h = 7, w = 5, c = 3;
        Pooling2D<?> pool = kind.equals("max") ? new MaxPooling2D(ph, pw) : new AveragePooling2D(ph, pw);
        if (sh > 0) {
            pool.strides(sh, sw);
        }
        pool.padding(padding);
        int esh = sh > 0 ? sh : ph, esw = sw > 0 ? sw : pw; // Keras: strides default to pool_size
        SplittableRandom r = new SplittableRandom(ph * 100L + pw * 10 + sh + padding.length());
        // distinct values 0.05 apart: a ±0.01 step never changes which cell wins a max
        Tensor x = distinct(r, 0.05, 2, h, w, c);
        int[] out = {kerasOutputLength(h, ph, esh, padding), kerasOutputLength(w, pw, esw, padding), c};
        checkStructure(pool, new int[]{h, w, c}, out, 0, x);
        checkGradients(pool, x, true, NOTHING, EPS, RTOL, ATOL, 12);
        trainingStepLowersLoss(pool, x, true, NOTHING, 0.05, 13);
    }

    // ---------------------------------------------------------------- Activation, Flatten

    static Stream<String> activations() {
        return Stream.of("linear", "relu", "sigmoid", "tanh", "elu", "softmax");
    }

    @ParameterizedTest(name = "Activation {0}")
    @MethodSource("activations")
    void activation(String name) {
        Activation layer = new Activation(name);
        // inputs at least 0.05 from ReLU's and ELU's kink at 0, far more than the step 0.01
        Tensor x = awayFromZero(new SplittableRandom(name.hashCode()), 0.05, 2, 2, 3, 4, 5);
        checkStructure(layer, new int[]{3, 4, 5}, new int[]{3, 4, 5}, 0, x);
        checkGradients(layer, x, true, NOTHING, EPS, RTOL, ATOL, 14);
        trainingStepLowersLoss(layer, x, true, NOTHING, 0.05, 15);
    }

    @Test
    void flatten() {
        Flatten layer = new Flatten();
        Tensor x = uniform(new SplittableRandom(5), -1, 1, 2, 3, 4, 5);
        checkStructure(layer, new int[]{3, 4, 5}, new int[]{60}, 0, x);
        checkGradients(layer, x, true, NOTHING, EPS, RTOL, ATOL, 16);
        trainingStepLowersLoss(layer, x, true, NOTHING, 0.05, 17);
    }

    // ---------------------------------------------------------------- dropout

    static Stream<Arguments> dropoutCases() {
        return Stream.of(
                Arguments.of("Dropout 0.3", new Dropout(0.3)),
                Arguments.of("Dropout 0.5 noise (None,1,1,None)", new Dropout(0.5, new int[]{-1, 1, 1, -1}, null)),
                Arguments.of("Dropout 0.25 noise (1,None,None,1) seed 9", new Dropout(0.25, new int[]{1, -1, -1, 1}, 9L)),
                Arguments.of("SpatialDropout2D 0.4", new SpatialDropout2D(0.4)),
                Arguments.of("SpatialDropout2D 0.6 seed 3", new SpatialDropout2D(0.6, 3L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dropoutCases")
    void dropout(String label, Dropout layer) {
        SplittableRandom r = new SplittableRandom(label.hashCode());
        Tensor x = uniform(r, -1, 1, 3, 4, 4, 5);
        checkStructure(layer, new int[]{4, 4, 5}, new int[]{4, 4, 5}, 0, x);
        // inference: the identity, and its gradient passes through unchanged
        assertThat(layer.forward(x, false).data()).isEqualTo(x.data());
        checkGradients(layer, x, false, NOTHING, EPS, RTOL, ATOL, 18);
        // training with a fixed mask: reseeding before every pass repeats the mask
        Runnable fixedMask = () -> layer.reseed(1234);
        checkGradients(layer, x, true, fixedMask, EPS, RTOL, ATOL, 19);
        fixedMask.run();
        Tensor y = layer.forward(x, true);
        int dropped = 0;
        for (float v : y.data()) {
            if (v == 0f) {
                dropped++;
            }
        }
        assertThat(dropped).as("some units dropped").isPositive();
        trainingStepLowersLoss(layer, x, true, fixedMask, 0.05, 20);
    }

    // ---------------------------------------------------------------- the harness itself

    /** A Dense whose backward is off by 3% on one input: the harness must notice. */
    @Test
    void harnessRejectsAWrongGradient() {
        Dense inner = new Dense(3, "tanh");
        Layer wrong = new Layer() {
            public String name() { return "wrong"; }
            public void setName(String name) { }
            public int[] declaredInputShape() { return null; }
            public void build(int[] inputShape, BuildContext context) { inner.build(inputShape, context); }
            public boolean isBuilt() { return inner.isBuilt(); }
            public int[] inputShape() { return inner.inputShape(); }
            public int[] outputShape() { return inner.outputShape(); }
            public Tensor forward(Tensor x, boolean training) { return inner.forward(x, training); }
            public Tensor backward(Tensor g) {
                Tensor dx = inner.backward(g);
                float[] d = dx.data();
                int largest = 0;
                for (int i = 1; i < d.length; i++) {
                    if (Math.abs(d[i]) > Math.abs(d[largest])) {
                        largest = i;
                    }
                }
                d[largest] *= 1.03f;
                return dx;
            }
            public List<Parameter> parameters() { return inner.parameters(); }
            public LayerConfig config() { return inner.config(); }
        };
        wrong.build(new int[]{4}, LayerTestHarness.context(1));
        Tensor x = uniform(new SplittableRandom(2), -1, 1, 2, 4);
        assertThatThrownBy(() -> checkGradients(wrong, x, true, NOTHING, EPS, RTOL, ATOL, 3))
                .isInstanceOf(AssertionError.class).hasMessageContaining("d/dinput");
        // and the untouched layer passes
        checkGradients(inner, x, true, NOTHING, EPS, RTOL, ATOL, 3);
    }
}
