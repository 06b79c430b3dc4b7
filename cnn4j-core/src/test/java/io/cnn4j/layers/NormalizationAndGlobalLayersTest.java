package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static io.cnn4j.layers.LayerTestHarness.awayFromZero;
import static io.cnn4j.layers.LayerTestHarness.built;
import static io.cnn4j.layers.LayerTestHarness.checkGradients;
import static io.cnn4j.layers.LayerTestHarness.checkStructure;
import static io.cnn4j.layers.LayerTestHarness.distinct;
import static io.cnn4j.layers.LayerTestHarness.trainingStepLowersLoss;
import static io.cnn4j.layers.LayerTestHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The layer harness (shapes, config round trip, finite-difference gradients, a training step) and
 * a hand-computed example for BatchNormalization, GlobalAveragePooling2D, GlobalMaxPooling2D,
 * ZeroPadding2D and ReLU.
 */
class NormalizationAndGlobalLayersTest {
    private static final Runnable NOTHING = () -> {
    };
    private static final double EPS = 1e-2, RTOL = 2e-3, ATOL = 2e-3;

    // ------------------------------------------------------------ BatchNormalization

    @ParameterizedTest(name = "BatchNormalization center/scale {0}")
    @ValueSource(ints = {0, 1, 2, 3})
    void batchNormalizationHarnessInTraining(int flags) {
        boolean center = (flags & 1) == 0, scale = (flags & 2) == 0;
        BatchNormalization bn = new BatchNormalization().center(center).scale(scale);
        SplittableRandom r = new SplittableRandom(flags + 7);
        Tensor x = uniform(r, -1, 2, 3, 4, 3, 5);
        checkStructure(bn, new int[]{4, 3, 5}, new int[]{4, 3, 5}, 5L * ((center ? 1 : 0) + (scale ? 1 : 0) + 2), x);
        // non-trivial γ, β so that their gradients and the input gradient's γ factor are exercised
        for (Parameter p : bn.parameters()) {
            for (int i = 0; i < p.size(); i++) {
                p.value()[i] = (float) (0.5 + r.nextDouble());
            }
        }
        // training mode: the batch statistics depend on every input, so the input gradient has the full coupling terms
        // (the functional's coefficients come from another stream than x: coefficients affine in x
        // make the exact input gradient of a normalisation vanish, and the check meaningless)
        checkGradients(bn, x, true, NOTHING, EPS, RTOL, ATOL, 103);
        checkGradients(bn, x, false, NOTHING, EPS, RTOL, ATOL, 104);
        if (center || scale) {
            trainingStepLowersLoss(bn, x, true, NOTHING, 0.05, 5);
        }
    }

    @Test
    void batchNormalizationOnDenseFeaturesHasGradients() {
        BatchNormalization bn = built(new BatchNormalization(), 1, 6);
        Tensor x = uniform(new SplittableRandom(9), -3, 3, 5, 6);
        checkGradients(bn, x, true, NOTHING, EPS, RTOL, ATOL, 6);
        assertThat(bn.parameters()).extracting(Parameter::name).containsExactly("BatchNormalization/gamma", "BatchNormalization/beta");
        assertThat(bn.weights()).extracting(Parameter::name).containsExactly("BatchNormalization/gamma", "BatchNormalization/beta",
                "BatchNormalization/moving_mean", "BatchNormalization/moving_variance");
    }

    /**
     * One channel, batch {1, 2, 3, 6}: mean 3, biased variance (4 + 1 + 0 + 9)/4 = 3.5, so
     * y = (x − 3)/√3.501; moving mean 0·0.99 + 3·0.01 = 0.03, moving variance 1·0.99 + 3.5·0.01 = 1.025
     * (the unbiased variance 14/3 would give 1.03667). In inference: y = (x − 0.03)/√1.026.
     */
    @Test
    void batchNormalizationHandComputed() {
        BatchNormalization bn = built(new BatchNormalization(), 1, 1);
        Tensor x = new Tensor(new float[]{1, 2, 3, 6}, 4, 1);
        float[] y = bn.forward(x, true).data().clone();
        double sd = Math.sqrt(3.5 + 1e-3);
        assertThat(y[0]).isCloseTo((float) (-2 / sd), within(1e-6f));
        assertThat(y[1]).isCloseTo((float) (-1 / sd), within(1e-6f));
        assertThat(y[2]).isCloseTo(0f, within(1e-6f));
        assertThat(y[3]).isCloseTo((float) (3 / sd), within(1e-6f));
        assertThat(bn.movingMean()[0]).isCloseTo(0.03f, within(1e-7f));
        assertThat(bn.movingVariance()[0]).isCloseTo(1.025f, within(1e-7f));
        float[] inference = bn.forward(x, false).data();
        assertThat(inference[3]).isCloseTo((float) ((6 - 0.03) / Math.sqrt(1.026)), within(1e-6f));
        // inference leaves the moving statistics alone
        assertThat(bn.movingMean()[0]).isCloseTo(0.03f, within(1e-7f));
        // backward of y = x̂ with dy = (1, 0, 0, 0): dβ = 1, dγ = x̂₀, dx = (δ − 1/4 − x̂·x̂₀/4)/σ
        bn.forward(x, true);
        bn.parameters().forEach(Parameter::zeroGrad);
        float[] dx = bn.backward(new Tensor(new float[]{1, 0, 0, 0}, 4, 1)).data();
        double sd2 = Math.sqrt(3.5 + 1e-3); // batch statistics are the same batch's
        double[] xhat = {-2 / sd2, -1 / sd2, 0, 3 / sd2};
        assertThat(bn.parameters().get(1).grad()[0]).isCloseTo(1f, within(1e-6f));
        assertThat(bn.parameters().get(0).grad()[0]).isCloseTo((float) xhat[0], within(1e-6f));
        for (int i = 0; i < 4; i++) {
            double expected = ((i == 0 ? 1 : 0) - 0.25 - xhat[i] * xhat[0] / 4) / sd2;
            assertThat(dx[i]).as("dx[%d]", i).isCloseTo((float) expected, within(1e-6f));
        }
    }

    @Test
    void batchNormalizationRefusesOtherAxesAndBadOptions() {
        assertThatThrownBy(() -> built(new BatchNormalization(new BatchNormalization.Config(1, 0.99, 1e-3, true, true)), 1, 4, 4, 3))
                .hasMessageContaining("only the last axis");
        // the last axis counted with the batch axis is accepted (Keras 2 writes the built axis that way)
        assertThat(built(new BatchNormalization(new BatchNormalization.Config(3, 0.99, 1e-3, true, true)), 1, 4, 4, 3).outputShape())
                .containsExactly(4, 4, 3);
        assertThatThrownBy(() -> new BatchNormalization.Config(-1, 1.5, 1e-3, true, true)).hasMessageContaining("momentum");
        assertThatThrownBy(() -> new BatchNormalization.Config(-1, 0.9, 0, true, true)).hasMessageContaining("epsilon");
    }

    @Test
    void fusedReluGivesTheSameOutputsAndGradientsAsSeparateLayers() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = uniform(r, -2, 2, 4, 3, 3, 6);
        Tensor dy = uniform(r, -1, 1, 4, 3, 3, 6);
        BatchNormalization plainBn = built(new BatchNormalization(), 1, 3, 3, 6);
        ReLU plainRelu = built(new ReLU(), 1, 3, 3, 6);
        BatchNormalization fusedBn = built(new BatchNormalization(), 1, 3, 3, 6);
        ReLU fusedRelu = built(new ReLU(), 1, 3, 3, 6);
        assertThat(fusedBn.fuseRelu(fusedRelu)).isTrue();
        assertThat(new BatchNormalization().fuseRelu(new ReLU(new ReLU.Config(6.0, 0, 0)))).isFalse();
        for (boolean training : new boolean[]{true, false}) {
            Tensor a = plainRelu.forward(plainBn.forward(x, training), training);
            Tensor b = fusedRelu.forward(fusedBn.forward(x, training), training);
            assertThat(b.data()).isEqualTo(a.data());
            plainBn.parameters().forEach(Parameter::zeroGrad);
            fusedBn.parameters().forEach(Parameter::zeroGrad);
            float[] ga = plainBn.backward(plainRelu.backward(dy.copy())).data();
            float[] gb = fusedBn.backward(fusedRelu.backward(dy.copy())).data();
            assertThat(gb).isEqualTo(ga);
            assertThat(fusedBn.parameters().get(0).grad()).isEqualTo(plainBn.parameters().get(0).grad());
        }
        assertThat(fusedBn.movingVariance()).isEqualTo(plainBn.movingVariance());
    }

    // ------------------------------------------------------------ global pooling

    @ParameterizedTest(name = "GlobalAveragePooling2D keepdims {0}")
    @ValueSource(booleans = {false, true})
    void globalAveragePoolingHarness(boolean keepdims) {
        GlobalAveragePooling2D gap = new GlobalAveragePooling2D(new GlobalAveragePooling2D.Config(keepdims));
        Tensor x = uniform(new SplittableRandom(1), -1, 1, 2, 3, 4, 5);
        checkStructure(gap, new int[]{3, 4, 5}, keepdims ? new int[]{1, 1, 5} : new int[]{5}, 0, x);
        checkGradients(gap, x, true, NOTHING, EPS, RTOL, ATOL, 2);
        trainingStepLowersLoss(gap, x, true, NOTHING, 0.05, 3);
    }

    @ParameterizedTest(name = "GlobalMaxPooling2D keepdims {0}")
    @ValueSource(booleans = {false, true})
    void globalMaxPoolingHarness(boolean keepdims) {
        GlobalMaxPooling2D gmp = new GlobalMaxPooling2D(new GlobalMaxPooling2D.Config(keepdims));
        // values 0.05 apart: the ±0.01 finite-difference steps never change which pixel is the maximum
        Tensor x = distinct(new SplittableRandom(2), 0.05, 2, 3, 4, 5);
        checkStructure(gmp, new int[]{3, 4, 5}, keepdims ? new int[]{1, 1, 5} : new int[]{5}, 0, x);
        checkGradients(gmp, x, true, NOTHING, EPS, RTOL, ATOL, 2);
        trainingStepLowersLoss(gmp, x, true, NOTHING, 0.05, 3);
    }

    /** A 2×2 image with two channels: channel 0 = (1, 2; 3, 6), channel 1 = (−1, −5; 0, −2). */
    @Test
    void globalPoolingHandComputed() {
        Tensor x = new Tensor(new float[]{1, -1, 2, -5, 3, 0, 6, -2}, 1, 2, 2, 2);
        GlobalAveragePooling2D gap = built(new GlobalAveragePooling2D(), 1, 2, 2, 2);
        assertThat(gap.forward(x, true).data()).containsExactly(3f, -2f);
        assertThat(gap.backward(new Tensor(new float[]{4, 8}, 1, 2)).data()).containsExactly(1, 2, 1, 2, 1, 2, 1, 2);
        GlobalMaxPooling2D gmp = built(new GlobalMaxPooling2D(), 1, 2, 2, 2);
        assertThat(gmp.forward(x, true).data()).containsExactly(6f, 0f);
        assertThat(gmp.backward(new Tensor(new float[]{4, 8}, 1, 2)).data()).containsExactly(0, 0, 0, 0, 0, 8, 4, 0);
        assertThatThrownBy(() -> built(new GlobalAveragePooling2D(), 1, 4)).hasMessageContaining("rank 4");
    }

    // ------------------------------------------------------------ ZeroPadding2D

    @Test
    void zeroPaddingHarnessAndHandComputed() {
        ZeroPadding2D pad = new ZeroPadding2D(new ZeroPadding2D.Config(new int[]{1, 0, 2, 1}));
        Tensor x = uniform(new SplittableRandom(3), -1, 1, 2, 3, 2, 2);
        checkStructure(pad, new int[]{3, 2, 2}, new int[]{4, 5, 2}, 0, x);
        checkGradients(pad, x, true, NOTHING, EPS, RTOL, ATOL, 2);
        trainingStepLowersLoss(pad, x, true, NOTHING, 0.05, 3);

        ZeroPadding2D one = built(new ZeroPadding2D(), 1, 1, 2, 1);
        Tensor y = one.forward(new Tensor(new float[]{7, 9}, 1, 1, 2, 1), true);
        assertThat(y.shape()).containsExactly(1, 3, 4, 1);
        assertThat(y.data()).containsExactly(0, 0, 0, 0, 0, 7, 9, 0, 0, 0, 0, 0);
        float[] g = new float[12];
        for (int i = 0; i < 12; i++) {
            g[i] = i;
        }
        assertThat(one.backward(new Tensor(g, 1, 3, 4, 1)).data()).containsExactly(5f, 6f);
        assertThatThrownBy(() -> new ZeroPadding2D.Config(new int[]{1, -1, 0, 0})).hasMessageContaining("ZeroPadding2D padding");
    }

    // ------------------------------------------------------------ ReLU

    @Test
    void reluHarnessWithKerasOptions() {
        Tensor x = awayFromZero(new SplittableRandom(5), 0.1, 3, 2, 3, 3, 2);
        checkStructure(new ReLU(), new int[]{3, 3, 2}, new int[]{3, 3, 2}, 0, x);
        ReLU leakyCapped = new ReLU(new ReLU.Config(2.0, 0.1, 0.5));
        // keep inputs away from the kinks at 0.5 and 2
        Tensor y = x.copy();
        for (int i = 0; i < y.size(); i++) {
            float v = y.data()[i];
            if (Math.abs(v - 0.5f) < 0.05f || Math.abs(v - 2f) < 0.05f) {
                y.data()[i] = v + 0.2f;
            }
        }
        checkStructure(leakyCapped, new int[]{3, 3, 2}, new int[]{3, 3, 2}, 0, y);
        checkGradients(built(new ReLU(), 1, 3, 3, 2), x, true, NOTHING, EPS, RTOL, ATOL, 2);
        checkGradients(leakyCapped, y, true, NOTHING, EPS, RTOL, ATOL, 3);
        trainingStepLowersLoss(leakyCapped, y, true, NOTHING, 0.05, 4);
    }

    /** Keras' formula: x ≤ threshold → slope·(x − threshold); else min(x, max_value). */
    @Test
    void reluHandComputed() {
        ReLU plain = built(new ReLU(), 1, 5);
        Tensor x = new Tensor(new float[]{-2, -0.5f, 0.5f, 1.5f, 3}, 1, 5);
        assertThat(plain.forward(x, true).data()).containsExactly(0, 0, 0.5f, 1.5f, 3);
        ReLU options = built(new ReLU(new ReLU.Config(2.0, 0.1, 1.0)), 1, 5);
        float[] y = options.forward(x, true).data();
        assertThat(y[0]).isCloseTo(-0.3f, within(1e-7f));
        assertThat(y[1]).isCloseTo(-0.15f, within(1e-7f));
        assertThat(y[2]).isCloseTo(-0.05f, within(1e-7f));
        assertThat(y[3]).isEqualTo(1.5f);
        assertThat(y[4]).isEqualTo(2f);
        float[] dx = options.backward(new Tensor(new float[]{1, 1, 1, 1, 1}, 1, 5)).data();
        assertThat(dx).containsExactly(0.1f, 0.1f, 0.1f, 1f, 0f);
        assertThatThrownBy(() -> new ReLU.Config(-1.0, 0, 0)).hasMessageContaining("max_value");
    }
}
