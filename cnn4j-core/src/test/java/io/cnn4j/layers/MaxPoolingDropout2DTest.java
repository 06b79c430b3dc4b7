package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MaxPoolingDropout2DTest {
    static MaxPoolingDropout2D built(double rate, int k, int[] in, long seed) {
        MaxPoolingDropout2D l = new MaxPoolingDropout2D(rate, k, seed);
        l.build(in, new BuildContext(new SplittableRandom(0), null, 1));
        return l;
    }

    @Test
    void inferenceIsTheProbabilisticWeightedPoolOfTheSortedWindow() {
        // a = 4, 1, 3, 2 (sorted 1..4), p = q = 0.5: 1/16·1 + 1/8·2 + 1/4·3 + 1/2·4 = 3.0625
        Tensor x = new Tensor(new float[]{4, 1, 3, 2}, 1, 2, 2, 1);
        MaxPoolingDropout2D l = built(0.5, 2, new int[]{2, 2, 1}, 1L);
        assertThat(l.forward(x, false).data()[0]).isCloseTo(3.0625f, within(1e-6f));
        // rate 0: plain max pooling
        assertThat(built(0.0, 2, new int[]{2, 2, 1}, 1L).forward(x, false).data()[0]).isEqualTo(4f);
    }

    @Test
    void inferenceEqualsTheMeanTrainingOutput() {
        SplittableRandom r = new SplittableRandom(3);
        float[] v = new float[2 * 6 * 6 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        Tensor x = new Tensor(v, 2, 6, 6, 3);
        MaxPoolingDropout2D l = built(0.4, 3, new int[]{6, 6, 3}, 9L);
        float[] expected = l.forward(x, false).data().clone();
        int draws = 4000;
        double[] mean = new double[expected.length];
        for (int d = 0; d < draws; d++) {
            float[] y = l.forward(x, true).data();
            for (int i = 0; i < y.length; i++) {
                mean[i] += y[i] / (double) draws;
            }
        }
        for (int i = 0; i < expected.length; i++) {
            // each training output is in [0, 1]: standard error ≤ 0.5 / sqrt(draws)
            assertThat(mean[i]).isCloseTo(expected[i], within(4 * 0.5 / Math.sqrt(draws)));
        }
    }

    @Test
    void backwardRoutesTheGradientToTheKeptWinnerOnly() {
        SplittableRandom r = new SplittableRandom(5);
        float[] v = new float[4 * 4 * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.1 + r.nextDouble());
        }
        Tensor x = new Tensor(v, 1, 4, 4, 2);
        MaxPoolingDropout2D l = built(0.6, 2, new int[]{4, 4, 2}, 11L);
        float[] y = l.forward(x, true).data().clone();
        float[] dy = new float[y.length];
        for (int i = 0; i < dy.length; i++) {
            dy[i] = i + 1;
        }
        float[] dx = l.backward(new Tensor(dy, 1, 2, 2, 2)).data();
        int zeros = 0;
        for (int o = 0; o < y.length; o++) {
            if (y[o] == 0f) {
                zeros++;
                continue;
            }
            // the output equals exactly one input of its window, which receives dy[o]
            int found = 0;
            for (int i = 0; i < dx.length; i++) {
                if (dx[i] == dy[o]) {
                    assertThat(v[i]).isEqualTo(y[o]);
                    found++;
                }
            }
            assertThat(found).isEqualTo(1);
        }
        double sum = 0;
        for (float g : dx) {
            sum += g;
        }
        double expected = 0;
        for (int o = 0; o < y.length; o++) {
            expected += y[o] == 0f ? 0 : dy[o];
        }
        assertThat(sum).isCloseTo(expected, within(1e-9));
        assertThat(zeros).isLessThan(y.length);
    }

    @Test
    void passesTheLayerHarness() {
        // distinct positive values 0.05 apart, so a ±0.01 step never changes a window's winner or ties a dropped zero
        Tensor raw = LayerTestHarness.distinct(new SplittableRandom(4), 0.05, 2, 6, 6, 3);
        float min = Float.MAX_VALUE;
        for (float v : raw.data()) {
            min = Math.min(min, v);
        }
        float[] shifted = raw.data().clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 0.1f - min;
        }
        Tensor x = new Tensor(shifted, raw.shape());
        MaxPoolingDropout2D layer = new MaxPoolingDropout2D(0.4, 2, null);
        LayerTestHarness.checkStructure(layer, new int[]{6, 6, 3}, new int[]{3, 3, 3}, 0, x);
        Runnable fixedMask = () -> layer.reseed(77);
        LayerTestHarness.checkGradients(layer, x, true, fixedMask, 1e-2, 2e-3, 2e-3, 5);
        LayerTestHarness.trainingStepLowersLoss(layer, x, true, fixedMask, 0.05, 6);
    }

    @Test
    void refusesBadConfigurationWithTheValue() {
        assertThatThrownBy(() -> new MaxPoolingDropout2D(1.0, 2, null)).hasMessageContaining("1.0");
        assertThatThrownBy(() -> built(0.2, 3, new int[]{2, 2, 1}, 1L)).hasMessageContaining("does not fit");
        assertThat(new MaxPoolingDropout2D(new MaxPoolingDropout2D(0.3, 2, 7L).config()).config())
                .isEqualTo(new MaxPoolingDropout2D.Config(0.3, 2, 7L));
    }
}
