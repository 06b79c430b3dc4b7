package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MaxPooling2D's inference forward keeps only the maxima (no winning cells): the same bits as the
 * training forward, NaN, ties and signed zeros included, in the vector body (up to 37 channels) and
 * its scalar tail; a backward after it says it needs a
 * training forward.
 */
class MaxPooling2DInferenceTest {

    static float special(SplittableRandom r) {
        return switch (r.nextInt(12)) {
            case 0 -> Float.NaN;
            case 1 -> -0f;
            case 2 -> 0f;
            case 3 -> 1f; // ties
            case 4 -> Float.NEGATIVE_INFINITY;
            default -> (float) (r.nextDouble() * 2 - 1);
        };
    }

    @Property(tries = 60)
    void inferenceGivesTheTrainingForwardsBits(@ForAll @IntRange(min = 1, max = 9) int h, @ForAll @IntRange(min = 1, max = 9) int w,
                                               @ForAll @IntRange(min = 1, max = 37) int c, @ForAll @IntRange(min = 1, max = 3) int p,
                                               @ForAll @IntRange(min = 1, max = 3) int s, @ForAll boolean same,
                                               @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        if (!same && (h < p || w < p)) {
            return; // does not fit: refused at build (ShapePropertiesTest)
        }
        MaxPooling2D pool = new MaxPooling2D(p, p);
        pool.strides(s, s);
        pool.padding(same ? "same" : "valid");
        pool.build(new int[]{h, w, c}, LayerTestHarness.context(1));
        SplittableRandom r = new SplittableRandom(seed);
        float[] data = new float[n * h * w * c];
        for (int i = 0; i < data.length; i++) {
            data[i] = special(r);
        }
        Tensor x = new Tensor(data, n, h, w, c);
        float[] training = pool.forward(x, true).data().clone();
        float[] inference = pool.forward(x, false).data();
        assertThat(inference.length).isEqualTo(training.length);
        for (int i = 0; i < training.length; i++) {
            assertThat(Float.floatToRawIntBits(inference[i])).as("output %d: %s vs %s", i, inference[i], training[i])
                    .isEqualTo(Float.floatToRawIntBits(training[i]));
        }
    }

    @Test
    void backwardAfterAnInferenceForwardIsRefusedByName() {
        MaxPooling2D pool = new MaxPooling2D(2, 2);
        pool.build(new int[]{4, 4, 1}, LayerTestHarness.context(1));
        Tensor x = new Tensor(new float[16], 1, 4, 4, 1);
        pool.forward(x, false);
        assertThatThrownBy(() -> pool.backward(new Tensor(new float[4], 1, 2, 2, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("MaxPooling2D '" + pool.name() + "'")
                .hasMessageContaining("training forward").hasMessageNotContaining("\n");
        pool.forward(x, true);
        assertThat(pool.backward(new Tensor(new float[4], 1, 2, 2, 1)).shape()).containsExactly(1, 4, 4, 1);
    }
}
