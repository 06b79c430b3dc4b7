package io.cnn4j.losses;

import io.cnn4j.layers.ActivationFunction;
import io.cnn4j.model.Utils;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Cross-entropy values against Keras' documented examples and hand computations; gradients against finite differences. */
class LossTest {
    private static final Loss CCE = Loss.parse("categorical_crossentropy");
    private static final Loss SPARSE = Loss.parse("sparse_categorical_crossentropy");

    @Test
    void categoricalMatchesKerasDocumentedExample() {
        // keras.losses.CategoricalCrossentropy docs: y_true [[0,1,0],[0,0,1]], y_pred [[.05,.95,0],[.1,.8,.1]]
        // → (−log 0.95 − log 0.1)/2 = (0.0512933 + 2.3025851)/2 = 1.1769392
        Tensor pred = new Tensor(new float[]{0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f}, 2, 3);
        Tensor y = new Tensor(new float[]{0, 1, 0, 0, 0, 1}, 2, 3);
        assertThat(CCE.compute(pred, y)).isCloseTo(1.1769392, within(1e-6));
        // the same with integer labels [1, 2]
        assertThat(SPARSE.compute(pred, new Tensor(new float[]{1, 2}, 2))).isCloseTo(1.1769392, within(1e-6));
        assertThat(SPARSE.compute(pred, new Tensor(new float[]{1, 2}, 2, 1))).isCloseTo(1.1769392, within(1e-6));
    }

    @Test
    void probabilitiesAreClippedAtEpsilon() {
        // p = 0 at the true class: −log(1e-7) = 16.1180957, not infinity
        Tensor pred = new Tensor(new float[]{0, 1}, 1, 2);
        assertThat(CCE.compute(pred, new Tensor(new float[]{1, 0}, 1, 2))).isCloseTo(16.1180957, within(1e-6));
        assertThat(SPARSE.compute(pred, new Tensor(new float[]{0}, 1))).isCloseTo(16.1180957, within(1e-6));
        // p = 1 at the true class: −log(1 − 1e-7) ≈ 1e-7
        assertThat(CCE.compute(pred, new Tensor(new float[]{0, 1}, 1, 2))).isCloseTo(1e-7, within(1e-9));
    }

    @Test
    void rowsAreRescaledToSumToOneAsKerasDoes() {
        // Keras divides the output by its row sum before clipping: p = [0.2, 0.6, 1.2] (sum 2),
        // true class 1 → −log(0.6 / 2) = −log 0.3 = 1.2039728
        Tensor pred = new Tensor(new float[]{0.2f, 0.6f, 1.2f}, 1, 3);
        assertThat(CCE.compute(pred, new Tensor(new float[]{0, 1, 0}, 1, 3))).isCloseTo(1.2039728, within(1e-6));
        assertThat(SPARSE.compute(pred, new Tensor(new float[]{1}, 1))).isCloseTo(1.2039728, within(1e-6));
    }

    @Test
    void nanPredictionGivesNanLoss() {
        Tensor pred = new Tensor(new float[]{Float.NaN, 0.5f}, 1, 2);
        assertThat(CCE.compute(pred, new Tensor(new float[]{0, 1}, 1, 2))).isNaN();
        assertThat(SPARSE.compute(pred, new Tensor(new float[]{1}, 1))).isNaN();
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheLoss() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 3, k = 4;
        // positive, unnormalised predictions away from the clip bounds
        Tensor pred = Tensor.zeros(n, k);
        for (int i = 0; i < pred.size(); i++) {
            pred.data()[i] = (float) (0.1 + r.nextDouble());
        }
        Tensor oneHot = Utils.toCategorical(new int[]{2, 0, 3}, k);
        Tensor labels = new Tensor(new float[]{2, 0, 3}, n);
        for (Object[] c : new Object[][]{{CCE, oneHot}, {SPARSE, labels}}) {
            Loss loss = (Loss) c[0];
            Tensor y = (Tensor) c[1];
            Tensor g = Tensor.zeros(n, k);
            loss.gradient(pred, y, g);
            for (int i = 0; i < pred.size(); i++) {
                float saved = pred.data()[i];
                double eps = 1e-3;
                pred.data()[i] = (float) (saved + eps);
                double up = loss.compute(pred, y);
                pred.data()[i] = (float) (saved - eps);
                double down = loss.compute(pred, y);
                double step = (double) (float) (saved + eps) - (double) (float) (saved - eps);
                pred.data()[i] = saved;
                assertThat((double) g.data()[i]).as("%s d/dp[%d]", loss.name(), i).isCloseTo((up - down) / step, within(2e-4));
            }
        }
    }

    /** The sparse loss computes its gradient from the labels without building one-hot rows: the same bits as from them. */
    @Test
    void sparseGradientEqualsCategoricalOnOneHotRowsBitForBit() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 6, k = 5;
        for (int trial = 0; trial < 50; trial++) {
            Tensor pred = Tensor.zeros(n, k);
            for (int i = 0; i < pred.size(); i++) {
                // some exact zeros and ones, so that clipped entries are covered too
                int kind = r.nextInt(8);
                pred.data()[i] = kind == 0 ? 0f : kind == 1 ? 1f : (float) r.nextDouble();
            }
            int[] labels = new int[n];
            float[] lf = new float[n];
            for (int i = 0; i < n; i++) {
                labels[i] = r.nextInt(k);
                lf[i] = labels[i];
            }
            Tensor fromOneHot = Tensor.zeros(n, k), fromLabels = Tensor.zeros(n, k);
            CCE.gradient(pred, Utils.toCategorical(labels, k), fromOneHot);
            SPARSE.gradient(pred, new Tensor(lf, n), fromLabels);
            assertThat(fromLabels.data()).containsExactly(fromOneHot.data());
        }
    }

    @Test
    void softmaxFusedGradientEqualsTheChainRule() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 4, k = 5;
        for (Loss loss : new Loss[]{CCE, SPARSE}) {
            for (int trial = 0; trial < 20; trial++) {
                Tensor p = Tensor.zeros(n, k);
                for (int i = 0; i < p.size(); i++) {
                    p.data()[i] = (float) (r.nextDouble() * 6 - 3); // logits; softmax keeps p well inside (ε, 1 − ε)
                }
                ActivationFunction.SOFTMAX.apply(p.data(), 0, p.size(), k);
                int[] labels = new int[n];
                float[] lf = new float[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = r.nextInt(k);
                    lf[i] = labels[i];
                }
                Tensor y = loss == CCE ? Utils.toCategorical(labels, k) : new Tensor(lf, n);
                Tensor dp = Tensor.zeros(n, k), chain = Tensor.zeros(n, k), fused = Tensor.zeros(n, k);
                loss.gradient(p, y, dp);
                ActivationFunction.SOFTMAX.backward(p.data(), dp.data(), chain.data(), 0, p.size(), k);
                assertThat(loss.gradientThroughSoftmax(p, y, fused)).isTrue();
                for (int i = 0; i < p.size(); i++) {
                    assertThat(fused.data()[i]).as("%s dL/dz[%d]", loss.name(), i).isCloseTo(chain.data()[i], within(2e-6f));
                }
                // and the fused gradient is (p − onehot)/N by hand
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < k; j++) {
                        float expected = (p.data()[i * k + j] - (j == labels[i] ? 1f : 0f)) / n;
                        assertThat(fused.data()[i * k + j]).isCloseTo(expected, within(1e-7f));
                    }
                }
            }
        }
    }

    @Test
    void accuracyCountsArgmaxMatches() {
        Tensor pred = new Tensor(new float[]{0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0.2f, 0.2f, 0.6f}, 3, 3);
        Tensor oneHot = Utils.toCategorical(new int[]{1, 2, 2}, 3);
        Tensor labels = new Tensor(new float[]{1, 2, 2}, 3);
        boolean[] expected = {true, false, true};
        for (int i = 0; i < 3; i++) {
            assertThat(CCE.correct(pred, oneHot, i)).isEqualTo(expected[i]);
            assertThat(SPARSE.correct(pred, labels, i)).isEqualTo(expected[i]);
        }
    }

    @Test
    void targetsAreChecked() {
        assertThatThrownBy(() -> CCE.checkTargets(Tensor.zeros(4, 3), new int[]{4, 2}))
                .hasMessageContaining("(None, 2)").hasMessageContaining("(4, 3)");
        assertThatThrownBy(() -> CCE.checkTargets(Tensor.zeros(4), new int[]{4, 2}))
                .hasMessageContaining("sparse_categorical_crossentropy");
        assertThatThrownBy(() -> SPARSE.checkTargets(new Tensor(new float[]{0, 2}, 2), new int[]{2, 2}))
                .hasMessageContaining("label 2.0").hasMessageContaining("[0, 2)");
        assertThatThrownBy(() -> SPARSE.checkTargets(new Tensor(new float[]{0.5f}, 1), new int[]{1, 2}))
                .hasMessageContaining("0.5");
        assertThatThrownBy(() -> Loss.parse("mse")).hasMessageContaining("unknown loss 'mse'");
    }

    @Test
    void toCategoricalByHand() {
        assertThat(Utils.toCategorical(new int[]{0, 2, 1}, 3).data()).containsExactly(1, 0, 0, 0, 0, 1, 0, 1, 0);
        Tensor inferred = Utils.toCategorical(new int[]{1, 3});
        assertThat(inferred.shape()).containsExactly(2, 4);
        assertThat(inferred.data()).containsExactly(0, 1, 0, 0, 0, 0, 0, 1);
        assertThatThrownBy(() -> Utils.toCategorical(new int[]{0, 3}, 3)).hasMessageContaining("label 3 at index 1");
        assertThatThrownBy(() -> Utils.toCategorical(new int[]{-1}, 3)).hasMessageContaining("label -1");
        assertThat(Utils.argmax(new Tensor(new float[]{0, 5, 1, 9, 2, 3}, 2, 3))).containsExactly(1, 0);
    }
}
