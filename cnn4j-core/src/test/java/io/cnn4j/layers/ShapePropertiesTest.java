package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.SplittableRandom;

import static io.cnn4j.layers.LayerTestHarness.context;
import static io.cnn4j.layers.LayerTestHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Output shapes follow Keras' conv_utils.conv_output_length for random sizes, kernels, strides and
 * paddings: "valid" ⌈(in − k + 1)/s⌉, "same" ⌈in/s⌉; a window that does not fit is refused.
 */
class ShapePropertiesTest {

    private static int keras(int in, int k, int s, boolean same) {
        return LayerTestHarness.kerasOutputLength(in, k, s, same ? "same" : "valid");
    }

    @Property(tries = 150)
    void conv2dOutputShape(@ForAll @IntRange(min = 1, max = 12) int h, @ForAll @IntRange(min = 1, max = 12) int w,
                           @ForAll @IntRange(min = 1, max = 3) int c, @ForAll @IntRange(min = 1, max = 4) int f,
                           @ForAll @IntRange(min = 1, max = 5) int kh, @ForAll @IntRange(min = 1, max = 5) int kw,
                           @ForAll @IntRange(min = 1, max = 4) int sh, @ForAll @IntRange(min = 1, max = 4) int sw,
                           @ForAll boolean same) {
        Conv2D conv = new Conv2D(f, kh, kw).strides(sh, sw).padding(same ? "same" : "valid");
        int oh = keras(h, kh, sh, same), ow = keras(w, kw, sw, same);
        if (oh <= 0 || ow <= 0) {
            assertThatThrownBy(() -> conv.build(new int[]{h, w, c}, context(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
            return;
        }
        conv.build(new int[]{h, w, c}, context(1));
        assertThat(conv.outputShape()).containsExactly(oh, ow, f);
        Tensor y = conv.forward(uniform(new SplittableRandom(h * w), -1, 1, 2, h, w, c), false);
        assertThat(y.shape()).containsExactly(2, oh, ow, f);
        assertThat(conv.parameterCount()).isEqualTo((long) kh * kw * c * f + f);
    }

    @Property(tries = 150)
    void poolingOutputShape(@ForAll @IntRange(min = 1, max = 12) int h, @ForAll @IntRange(min = 1, max = 12) int w,
                            @ForAll @IntRange(min = 1, max = 3) int c,
                            @ForAll @IntRange(min = 1, max = 4) int ph, @ForAll @IntRange(min = 1, max = 4) int pw,
                            @ForAll @IntRange(min = 0, max = 3) int sh, @ForAll @IntRange(min = 0, max = 3) int sw,
                            @ForAll boolean same, @ForAll boolean max) {
        Pooling2D<?> pool = max ? new MaxPooling2D(ph, pw) : new AveragePooling2D(ph, pw);
        // stride 0 here means "not given": Keras then uses the pool size
        boolean stridesGiven = sh > 0 && sw > 0;
        if (stridesGiven) {
            pool.strides(sh, sw);
        }
        pool.padding(same ? "same" : "valid");
        int esh = stridesGiven ? sh : ph, esw = stridesGiven ? sw : pw;
        int oh = keras(h, ph, esh, same), ow = keras(w, pw, esw, same);
        if (oh <= 0 || ow <= 0) {
            assertThatThrownBy(() -> pool.build(new int[]{h, w, c}, context(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
            return;
        }
        pool.build(new int[]{h, w, c}, context(1));
        assertThat(pool.outputShape()).containsExactly(oh, ow, c);
        Tensor x = uniform(new SplittableRandom(h * 13 + w), -1, 1, 2, h, w, c);
        Tensor y = pool.forward(x, false);
        assertThat(y.shape()).containsExactly(2, oh, ow, c);
        // every output is a max / mean of real cells: within the input's range
        for (float v : y.data()) {
            assertThat(v).isBetween(-1f, 1f);
        }
        assertThat(pool.config().strides()).containsExactly(esh, esw);
    }

    @Property(tries = 50)
    void flattenDenseAndShapePreservingLayers(@ForAll @IntRange(min = 1, max = 6) int h, @ForAll @IntRange(min = 1, max = 6) int w,
                                              @ForAll @IntRange(min = 1, max = 4) int c, @ForAll @IntRange(min = 1, max = 7) int units) {
        Flatten flatten = new Flatten();
        flatten.build(new int[]{h, w, c}, context(1));
        assertThat(flatten.outputShape()).containsExactly(h * w * c);
        Dense dense = new Dense(units);
        dense.build(flatten.outputShape(), context(1));
        assertThat(dense.outputShape()).containsExactly(units);
        assertThat(dense.parameterCount()).isEqualTo((long) h * w * c * units + units);
        for (Layer same : new Layer[]{new Activation("relu"), new Dropout(0.5), new SpatialDropout2D(0.5)}) {
            same.build(new int[]{h, w, c}, context(1));
            assertThat(same.outputShape()).containsExactly(h, w, c);
            assertThat(same.parameterCount()).isZero();
        }
    }
}
