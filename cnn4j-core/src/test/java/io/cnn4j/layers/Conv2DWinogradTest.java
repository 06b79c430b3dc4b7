package io.cnn4j.layers;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static io.cnn4j.layers.LayerTestHarness.checkGradients;
import static io.cnn4j.layers.LayerTestHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Conv2D through Winograd F(2×2, 3×3): finite-difference gradients, agreement with the im2col path
 * of the same layer (outputs, input, kernel and bias gradients), and which layers auto picks it for.
 */
class Conv2DWinogradTest {

    static Conv2D build(Conv2D conv, ConvAlgorithm algorithm, int threads, long seed, int... in) {
        Gemm gemm = Backends.select();
        conv.build(in, new BuildContext(new SplittableRandom(seed), gemm, threads, algorithm));
        return conv;
    }

    @ParameterizedTest(name = "{0}x{1}x{2} -> {3} {4} {5}")
    @CsvSource({"7,6,2,3,valid,tanh", "5,7,3,4,same,linear", "6,6,2,2,valid,elu"})
    void finiteDifferenceGradients(int h, int w, int c, int f, String padding, String activation) {
        Conv2D conv = build(new Conv2D(f, 3, 3).padding(padding).activation(activation), ConvAlgorithm.WINOGRAD, 2, 3, h, w, c);
        assertThat(conv.algorithm()).isEqualTo("winograd");
        SplittableRandom r = new SplittableRandom(h * 31L + w + c);
        float[] b = conv.parameters().get(1).value();
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextDouble() - 0.5);
        }
        // batch 2 with 2 threads: the Winograd path (it needs at least one image per thread)
        Tensor x = uniform(r, -1, 1, 2, h, w, c);
        checkGradients(conv, x, true, () -> { }, 1e-2, 2e-3, 2e-3, 5);
    }

    @ParameterizedTest(name = "{0}x{0}x{1} -> {2} {3}, {4} threads")
    @CsvSource({"20,32,32,valid,2", "13,16,64,same,2", "11,32,32,valid,1", "12,64,40,valid,3"})
    void agreesWithIm2col(int size, int c, int f, String padding, int threads) {
        Conv2D wino = build(new Conv2D(f, 3, 3).padding(padding).activation("relu"), ConvAlgorithm.WINOGRAD, threads, 9, size, size, c);
        Conv2D direct = build(new Conv2D(f, 3, 3).padding(padding).activation("relu"), ConvAlgorithm.IM2COL, threads, 9, size, size, c);
        assertThat(wino.algorithm()).isEqualTo("winograd");
        assertThat(direct.algorithm()).isEqualTo("im2col");
        SplittableRandom r = new SplittableRandom(size);
        float[] bias = wino.parameters().get(1).value();
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) (0.2 * (r.nextDouble() - 0.5));
        }
        System.arraycopy(bias, 0, direct.parameters().get(1).value(), 0, bias.length);
        assertThat(wino.parameters().get(0).value()).isEqualTo(direct.parameters().get(0).value());

        int n = 4;
        Tensor x = uniform(r, -1, 1, n, size, size, c);
        Tensor y1 = wino.forward(x, true).copy(), y2 = direct.forward(x, true).copy();
        assertClose("output", y1.data(), y2.data(), 1e-5);
        Tensor dy = uniform(r, -1, 1, y1.shape());
        Tensor dx1 = wino.backward(dy.copy()).copy(), dx2 = direct.backward(dy.copy()).copy();
        assertClose("input gradient", dx1.data(), dx2.data(), 1e-5);
        assertClose("kernel gradient", wino.parameters().get(0).grad(), direct.parameters().get(0).grad(), 1e-5);
        assertClose("bias gradient", wino.parameters().get(1).grad(), direct.parameters().get(1).grad(), 1e-5);
    }

    /** Every element within tol × the largest magnitude of the reference (float sums in another order). */
    static void assertClose(String what, float[] actual, float[] expected, double tol) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).as(what + " is not all zero").isGreaterThan(0);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s %d", what, i).isCloseTo(expected[i], within(tol * scale));
        }
    }

    @Test
    void autoTakesWinogradFor3x3Stride1WithEnoughChannels() {
        assertThat(build(new Conv2D(8, 3, 3), ConvAlgorithm.AUTO, 2, 1, 10, 10, 32).algorithm()).isEqualTo("winograd");
        // a shallow input (depth 3·3·3 = 27) is read in place rather than copied (same bits as im2col)
        assertThat(build(new Conv2D(8, 3, 3), ConvAlgorithm.AUTO, 2, 1, 10, 10, 3).algorithm()).isEqualTo("direct");
        assertThat(build(new Conv2D(8, 3, 3), ConvAlgorithm.IM2COL, 2, 1, 10, 10, 3).algorithm()).isEqualTo("im2col");
        assertThat(build(new Conv2D(8, 3, 3).strides(2, 2), ConvAlgorithm.WINOGRAD, 2, 1, 10, 10, 32).algorithm()).isEqualTo("im2col");
        assertThat(build(new Conv2D(8, 5, 5), ConvAlgorithm.WINOGRAD, 2, 1, 10, 10, 32).algorithm()).isEqualTo("im2col");
        assertThat(ConvAlgorithm.parse(" Winograd ")).isEqualTo(ConvAlgorithm.WINOGRAD);
        assertThat(ConvAlgorithm.parse("direct")).isEqualTo(ConvAlgorithm.DIRECT);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConvAlgorithm.parse("fft"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auto, im2col, winograd or direct");
    }
}
