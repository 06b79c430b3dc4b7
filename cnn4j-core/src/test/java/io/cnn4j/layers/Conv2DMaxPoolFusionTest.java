package io.cnn4j.layers;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.Parallel;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In inference a Winograd Conv2D followed by a 2×2, stride-2, valid MaxPooling2D runs as one pass
 * that writes only the pooled values ({@link Conv2D#forwardMaxPooled}); they have the bits of the
 * two layers one after the other, for valid and same padding, odd sizes (the dropped edge),
 * filter counts below, at and past whole vectors, ReLU or linear, with or without bias, NaN
 * inputs, one or two threads; and {@code Sequential.forward} takes that pass only where it applies.
 */
class Conv2DMaxPoolFusionTest {

    @Property(tries = 40)
    void fusedPoolingHasTheBitsOfConvolutionThenPooling(@ForAll @IntRange(min = 4, max = 21) int h, @ForAll @IntRange(min = 4, max = 21) int w,
                                                       @ForAll @IntRange(min = 1, max = 20) int c, @ForAll @IntRange(min = 1, max = 40) int f,
                                                       @ForAll boolean same, @ForAll boolean relu, @ForAll boolean bias,
                                                       @ForAll @IntRange(min = 1, max = 2) int threads, @ForAll @IntRange(min = 0, max = 2) int extraImages,
                                                       @ForAll @IntRange(min = 0, max = 1000) int seed) {
        BuildContext ctx = new BuildContext(new SplittableRandom(seed), Backends.select("vector", threads), threads, ConvAlgorithm.WINOGRAD,
                new Parallel(threads));
        Conv2D conv = new Conv2D(f, 3, 3).padding(same ? "same" : "valid").activation(relu ? "relu" : "linear").useBias(bias);
        conv.build(new int[]{h, w, c}, ctx);
        assertThat(conv.algorithm()).isEqualTo("winograd");
        MaxPooling2D pool = new MaxPooling2D(2, 2);
        pool.build(conv.outputShape(), ctx);
        SplittableRandom r = new SplittableRandom(seed + 1L);
        if (bias) {
            float[] b = conv.parameters().get(1).value();
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (r.nextDouble() - 0.5);
            }
        }
        int n = threads + extraImages;
        Tensor x = LayerTestHarness.uniform(r, -1, 1, n, h, w, c);
        if (r.nextInt(3) == 0) {
            x.data()[r.nextInt(x.size())] = Float.NaN;
        }
        float[] expected = pool.forward(conv.forward(x, false), false).data().clone();
        Tensor fused = conv.forwardMaxPooled(x, pool);
        assertThat(fused).as("the fused pass applies").isNotNull();
        assertThat(fused.shape()).containsExactly(n, pool.outputShape()[0], pool.outputShape()[1], f);
        float[] got = fused.data();
        for (int i = 0; i < expected.length; i++) {
            // floatToIntBits: a NaN is any NaN; ±0 stay apart
            assertThat(Float.floatToIntBits(got[i])).as("pooled %d of %d", i, expected.length).isEqualTo(Float.floatToIntBits(expected[i]));
        }
    }

    private static Sequential model(String activation, MaxPooling2D pool) {
        Sequential m = new Sequential(4);
        m.add(new Conv2D(16, 3, 3).padding("same").activation("relu").inputShape(11, 11, 3));
        m.add(new Conv2D(16, 3, 3).activation(activation));
        m.add(pool);
        m.add(new Dropout(0.5));
        m.add(new Flatten());
        m.add(new Dense(4, "softmax"));
        m.gemm(Backends.select("vector", 2));
        m.compile(new io.cnn4j.optim.SGD(0.01), "categorical_crossentropy");
        return m;
    }

    @Test
    void predictionsEqualTheLayersOneAfterTheOtherWhereFusedAndWhereNot() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = LayerTestHarness.uniform(r, -1, 1, 3, 11, 11, 3);
        for (Sequential m : new Sequential[]{model("relu", new MaxPooling2D(2, 2)), model("tanh", new MaxPooling2D(2, 2)),
                model("relu", new MaxPooling2D(2, 2).strides(1, 1)), model("relu", new MaxPooling2D(3, 3))}) {
            Tensor h = x;
            for (Layer l : m.layers()) {
                h = l.forward(h, false).copy();
            }
            float[] expected = h.data();
            float[] got = m.forward(x, false).data();
            for (int i = 0; i < expected.length; i++) {
                assertThat(Float.floatToIntBits(got[i])).as("output %d", i).isEqualTo(Float.floatToIntBits(expected[i]));
            }
        }
        // the fused pass is taken for the first model's relu convolution and its 2×2 pool only
        Sequential fusable = model("relu", new MaxPooling2D(2, 2));
        assertThat(((Conv2D) fusable.layers().get(1)).algorithm()).isEqualTo("winograd");
        assertThat(((Conv2D) fusable.layers().get(1)).forwardMaxPooled(fusable.layers().get(0).forward(x, false),
                (MaxPooling2D) fusable.layers().get(2))).isNotNull();
        Sequential tanh = model("tanh", new MaxPooling2D(2, 2));
        assertThat(((Conv2D) tanh.layers().get(1)).forwardMaxPooled(tanh.layers().get(0).forward(x, false),
                (MaxPooling2D) tanh.layers().get(2))).isNull();
        Sequential strideOne = model("relu", new MaxPooling2D(2, 2).strides(1, 1));
        assertThat(((Conv2D) strideOne.layers().get(1)).forwardMaxPooled(strideOne.layers().get(0).forward(x, false),
                (MaxPooling2D) strideOne.layers().get(2))).isNull();
    }

    @Test
    void aPoolBuiltOnAnotherShapeIsRefusedWithItsShapes() {
        BuildContext ctx = new BuildContext(new SplittableRandom(1), Backends.select("vector", 1), 1, ConvAlgorithm.WINOGRAD, new Parallel(1));
        Conv2D conv = new Conv2D(16, 3, 3).activation("relu");
        conv.build(new int[]{10, 10, 16}, ctx);
        MaxPooling2D other = new MaxPooling2D(2, 2);
        other.build(new int[]{6, 6, 16}, ctx);
        Tensor x = LayerTestHarness.uniform(new SplittableRandom(2), -1, 1, 2, 10, 10, 16);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> conv.forwardMaxPooled(x, other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[8, 8, 16]").hasMessageContaining("[6, 6, 16]");
    }
}
