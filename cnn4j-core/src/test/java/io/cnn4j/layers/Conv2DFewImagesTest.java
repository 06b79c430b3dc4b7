package io.cnn4j.layers;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A prediction on fewer images than workers (one image on two threads) runs Winograd with each
 * image's tiles split over the workers, and gives the same bits as Winograd on whole images (one
 * worker), for valid and same padding, odd sizes and any tile split; training at that batch size
 * still takes the batched im2col path (its backward is that path's adjoint).
 */
class Conv2DFewImagesTest {

    private static Conv2D built(int h, int w, int c, int f, String padding, int threads, ConvAlgorithm algorithm) {
        Conv2D conv = new Conv2D(f, 3, 3).padding(padding).activation("relu");
        conv.build(new int[]{h, w, c}, new BuildContext(new SplittableRandom(3), Backends.select("vector", threads), threads, algorithm));
        return conv;
    }

    @Property(tries = 25)
    void oneImageSplitByTilesHasTheBitsOfTheWholeImage(@ForAll @IntRange(min = 3, max = 23) int h, @ForAll @IntRange(min = 3, max = 23) int w,
                                                       @ForAll @IntRange(min = 1, max = 20) int c, @ForAll @IntRange(min = 1, max = 20) int f,
                                                       @ForAll boolean same, @ForAll @IntRange(min = 2, max = 3) int threads) {
        String padding = same ? "same" : "valid";
        Conv2D split = built(h, w, c, f, padding, threads, ConvAlgorithm.WINOGRAD);
        Conv2D whole = built(h, w, c, f, padding, 1, ConvAlgorithm.WINOGRAD);
        assertThat(split.algorithm()).isEqualTo("winograd");
        // the same weights in both
        System.arraycopy(whole.parameters().get(0).value(), 0, split.parameters().get(0).value(), 0, whole.parameters().get(0).value().length);
        SplittableRandom r = new SplittableRandom(h * 31L + w);
        float[] b = whole.parameters().get(1).value();
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextDouble() - 0.5);
        }
        System.arraycopy(b, 0, split.parameters().get(1).value(), 0, b.length);
        Tensor x = LayerTestHarness.uniform(r, -1, 1, 1, h, w, c);
        float[] expected = whole.forward(x, false).data().clone();
        float[] got = split.forward(x, false).data();
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < got.length; i++) {
            assertThat(Float.floatToRawIntBits(got[i])).as("output %d", i).isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    @Test
    void trainingOnFewerImagesThanWorkersStillMatchesTheDoubleReference() {
        Conv2D conv = built(12, 12, 16, 8, "same", 2, ConvAlgorithm.WINOGRAD);
        SplittableRandom r = new SplittableRandom(11);
        Tensor x = LayerTestHarness.uniform(r, -1, 1, 1, 12, 12, 16);
        float[] train = conv.forward(x, true).data().clone();
        float[] infer = conv.forward(x, false).data();
        // im2col in training, Winograd in inference: the same convolution to float accuracy
        for (int i = 0; i < train.length; i++) {
            assertThat(infer[i]).isCloseTo(train[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }
}
