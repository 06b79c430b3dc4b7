package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.util.SplittableRandom;

import static io.cnn4j.layers.LayerTestHarness.built;
import static io.cnn4j.layers.LayerTestHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Statistical and structural properties of Dropout and SpatialDropout2D. Bounds are 5 standard
 * deviations (a false alarm about once in 1.7 million checks).
 */
class DropoutPropertiesTest {
    private static final double Z = 5;

    @Property(tries = 40)
    void invertedDropoutKeepsTheMeanAndDropsAboutRate(@ForAll @DoubleRange(min = 0.0, max = 0.9) double rate,
                                                     @ForAll long seed) {
        int n = 20_000;
        Dropout dropout = built(new Dropout(rate), 1, n);
        dropout.reseed(seed);
        Tensor x = Tensor.zeros(1, n);
        java.util.Arrays.fill(x.data(), 1f);
        float[] y = dropout.forward(x, true).data();
        double sum = 0;
        int zeros = 0;
        float keep = (float) (1 / (1 - rate));
        for (float v : y) {
            assertThat(v).isIn(0f, keep);
            sum += v;
            zeros += v == 0f ? 1 : 0;
        }
        // each output is Bernoulli(1 − p)/(1 − p): mean 1, variance p/(1 − p)
        double sd = Math.sqrt(rate / (1 - rate) / n);
        assertThat(sum / n).as("mean of dropout(1) at rate %s", rate).isCloseTo(1.0, within(Z * sd + 1e-6));
        // zeros ~ Binomial(n, p)
        double zsd = Math.sqrt(n * rate * (1 - rate));
        assertThat((double) zeros).as("units dropped at rate %s", rate).isCloseTo(n * rate, within(Z * zsd + 1e-9));
    }

    @Property(tries = 40)
    void spatialDropoutZeroesWholeChannels(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 6) int h,
                                           @ForAll @IntRange(min = 1, max = 6) int w, @ForAll @IntRange(min = 1, max = 8) int c,
                                           @ForAll @DoubleRange(min = 0.05, max = 0.95) double rate, @ForAll long seed) {
        SpatialDropout2D layer = built(new SpatialDropout2D(rate), 1, h, w, c);
        layer.reseed(seed);
        Tensor x = uniform(new SplittableRandom(seed), 0.5, 1.5, n, h, w, c);
        Tensor y = layer.forward(x, true);
        float keep = (float) (1 / (1 - rate));
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                boolean kept = y.get(b, 0, 0, ch) != 0f;
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        float expected = kept ? x.get(b, i, j, ch) * keep : 0f;
                        assertThat(y.get(b, i, j, ch)).as("sample %d channel %d at (%d, %d)", b, ch, i, j).isEqualTo(expected);
                    }
                }
            }
        }
        assertThat(layer.lastMaskShape()).containsExactly(n, 1, 1, c);
    }

    /** With one channel mask, spatial dropout commutes with 2×2 max and average pooling. */
    @Property(tries = 40)
    void spatialDropoutBeforeOrAfterPoolingIsTheSame(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 2, max = 9) int h,
                                                      @ForAll @IntRange(min = 2, max = 9) int w, @ForAll @IntRange(min = 1, max = 5) int c,
                                                      @ForAll boolean same, @ForAll @DoubleRange(min = 0.1, max = 0.9) double rate,
                                                      @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = uniform(r, -1, 2, n, h, w, c);
        SpatialDropout2D spatial = new SpatialDropout2D(rate);
        float[] mask = spatial.drawMask(x.shape(), r);
        int[] maskShape = {n, 1, 1, c};
        String padding = same ? "same" : "valid";
        for (String kind : new String[]{"max", "average"}) {
            Pooling2D<?> pool = kind.equals("max") ? new MaxPooling2D() : new AveragePooling2D();
            built(pool.padding(padding), 1, h, w, c);
            Tensor dropThenPool = pool.forward(spatial.applyMask(x, mask, maskShape), false).copy();
            Tensor poolThenDrop = spatial.applyMask(pool.forward(x, false), mask, maskShape);
            assertThat(poolThenDrop.shape()).containsExactly(dropThenPool.shape());
            if (kind.equals("max")) {
                // a non-negative scale preserves the order, so max(m·x) = m·max(x) exactly
                // (precision 0 but 0.0 == −0.0: a dropped negative maximum is −0.0 one way, 0.0 the other)
                assertThat(poolThenDrop.data()).containsExactly(dropThenPool.data(), within(0f));
            } else {
                // averaging is linear; equal up to float rounding of the sum
                assertThat(poolThenDrop.data()).containsExactly(dropThenPool.data(), within(1e-5f));
            }
        }
    }

    /** Element-wise dropout before a max pool zeroes a pooled unit only when all k² inputs drop: p^4 for 2×2. */
    @Property(tries = 10)
    void elementwiseDropoutBeforeMaxPoolZeroesAPooledUnitWithProbabilityRateToTheFourth(
            @ForAll @DoubleRange(min = 0.3, max = 0.8) double rate, @ForAll long seed) {
        int n = 8, h = 40, w = 40, c = 4;
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = uniform(r, 0.5, 1.5, n, h, w, c);
        Dropout dropout = new Dropout(rate);
        Tensor dropped = dropout.applyMask(x, dropout.drawMask(x.shape(), r), x.shape());
        MaxPooling2D pool = built(new MaxPooling2D(), 1, h, w, c);
        float[] y = pool.forward(dropped, false).data();
        int zeros = 0;
        for (float v : y) {
            zeros += v == 0f ? 1 : 0;
        }
        double p4 = Math.pow(rate, 4);
        double sd = Math.sqrt(y.length * p4 * (1 - p4));
        assertThat((double) zeros).isCloseTo(y.length * p4, within(Z * sd + 1e-9));
    }

    @Property(tries = 30)
    void noiseShapeBroadcastsAsInKeras(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 5) int h,
                                       @ForAll @IntRange(min = 1, max = 5) int w, @ForAll @IntRange(min = 1, max = 5) int c,
                                       @ForAll @DoubleRange(min = 0.1, max = 0.9) double rate, @ForAll long seed) {
        Tensor x = uniform(new SplittableRandom(seed), 0.5, 1.5, n, h, w, c);
        // (None, 1, 1, None): one mask value per (sample, channel) — the same as SpatialDropout2D, draw for draw
        Dropout perChannel = built(new Dropout(rate, new int[]{Dropout.NONE, 1, 1, Dropout.NONE}, null), 1, h, w, c);
        SpatialDropout2D spatial = built(new SpatialDropout2D(rate), 1, h, w, c);
        perChannel.reseed(seed);
        spatial.reseed(seed);
        assertThat(perChannel.forward(x, true).data()).isEqualTo(spatial.forward(x, true).data());
        assertThat(perChannel.lastMaskShape()).containsExactly(n, 1, 1, c);

        // (1, None, None, 1): one mask value per pixel, shared by every sample and channel
        Dropout perPixel = built(new Dropout(rate, new int[]{1, Dropout.NONE, Dropout.NONE, 1}, null), 1, h, w, c);
        perPixel.reseed(seed);
        Tensor y = perPixel.forward(x, true);
        assertThat(perPixel.lastMaskShape()).containsExactly(1, h, w, 1);
        float[] mask = perPixel.lastMask();
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    for (int ch = 0; ch < c; ch++) {
                        assertThat(y.get(b, i, j, ch)).isEqualTo(x.get(b, i, j, ch) * mask[i * w + j]);
                    }
                }
            }
        }
        // explicit sizes equal to the input's are the same as None
        Dropout explicit = built(new Dropout(rate, new int[]{n, 1, 1, c}, null), 1, h, w, c);
        explicit.reseed(seed);
        spatial.reseed(seed);
        assertThat(explicit.forward(x, true).data()).isEqualTo(spatial.forward(x, true).data());
    }

    @Property(tries = 20)
    void sameSeedSameMaskDifferentSeedDifferentMask(@ForAll long seed) {
        Dropout a = built(new Dropout(0.5), 1, 256);
        Dropout b = built(new Dropout(0.5), 1, 256);
        Tensor x = Tensor.zeros(2, 256);
        java.util.Arrays.fill(x.data(), 1f);
        a.reseed(seed);
        b.reseed(seed);
        float[] ya = a.forward(x, true).data().clone();
        assertThat(b.forward(x, true).data()).isEqualTo(ya);
        b.reseed(seed + 1);
        assertThat(b.forward(x, true).data()).isNotEqualTo(ya); // 2^-512 chance of a false alarm
    }
}
