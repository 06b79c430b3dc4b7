package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DropBlock2DTest {
    static DropBlock2D built(double rate, int block, int[] in, long seed) {
        DropBlock2D l = new DropBlock2D(rate, block, seed);
        l.build(in, new BuildContext(new SplittableRandom(0), null, 1));
        return l;
    }

    @Test
    void dropsAboutRateOfTheUnitsInWholeBlocksAndKeepsTheExpectedSum() {
        int h = 16, w = 16, c = 4, n = 16;
        float[] ones = new float[n * h * w * c];
        Arrays.fill(ones, 1f);
        Tensor x = new Tensor(ones, n, h, w, c);
        DropBlock2D l = built(0.2, 3, new int[]{h, w, c}, 5L);
        float[] y = l.forward(x, true).data();
        long zeros = 0;
        double sum = 0;
        for (float v : y) {
            zeros += v == 0f ? 1 : 0;
            sum += v;
        }
        double frac = (double) zeros / y.length;
        // blocks overlap, so the dropped fraction is a bit below rate; Ghiasi et al.'s γ aims at rate
        assertThat(frac).isBetween(0.12, 0.22);
        assertThat(sum).isCloseTo(y.length, within(1e-2 * y.length));
        // every zero lies in a 3x3 all-zero square of its channel (blocks, not single units)
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        if (y[((b * h + i) * w + j) * c + ch] == 0f) {
                            assertThat(inZeroBlock(y, b, i, j, ch, h, w, c, 3)).isTrue();
                        }
                    }
                }
            }
        }
        assertThat(l.forward(x, false).data()).isEqualTo(ones);
    }

    static boolean inZeroBlock(float[] y, int b, int i, int j, int ch, int h, int w, int c, int k) {
        for (int i0 = i - k + 1; i0 <= i; i0++) {
            for (int j0 = j - k + 1; j0 <= j; j0++) {
                if (i0 < 0 || j0 < 0 || i0 + k > h || j0 + k > w) {
                    continue;
                }
                boolean all = true;
                for (int u = i0; u < i0 + k && all; u++) {
                    for (int v = j0; v < j0 + k && all; v++) {
                        all = y[((b * h + u) * w + v) * c + ch] == 0f;
                    }
                }
                if (all) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void passesTheLayerHarness() {
        Tensor x = LayerTestHarness.uniform(new SplittableRandom(8), -1, 1, 2, 6, 6, 3);
        DropBlock2D layer = new DropBlock2D(0.3, 3, null);
        LayerTestHarness.checkStructure(layer, new int[]{6, 6, 3}, new int[]{6, 6, 3}, 0, x);
        assertThat(layer.forward(x, false).data()).isEqualTo(x.data());
        LayerTestHarness.checkGradients(layer, x, false, () -> { }, 1e-2, 2e-3, 2e-3, 3);
        Runnable fixedMask = () -> layer.reseed(99);
        LayerTestHarness.checkGradients(layer, x, true, fixedMask, 1e-2, 2e-3, 2e-3, 4);
        LayerTestHarness.trainingStepLowersLoss(layer, x, true, fixedMask, 0.05, 5);
    }

    @Test
    void backwardMultipliesByTheSameMask() {
        SplittableRandom r = new SplittableRandom(1);
        float[] v = new float[2 * 8 * 8 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        DropBlock2D l = built(0.3, 2, new int[]{8, 8, 3}, 2L);
        float[] y = l.forward(new Tensor(v, 2, 8, 8, 3), true).data().clone();
        float[] mask = l.lastMask();
        float[] g = new float[v.length];
        Arrays.fill(g, 2f);
        float[] dx = l.backward(new Tensor(g, 2, 8, 8, 3)).data();
        for (int i = 0; i < v.length; i++) {
            assertThat(dx[i]).isEqualTo(2f * mask[i]);
            assertThat(y[i]).isEqualTo(v[i] * mask[i]);
        }
        assertThat(built(0.3, 5, new int[]{2, 2, 1}, 1L).effectiveBlockSize()).isEqualTo(2);
    }
}
