package io.cnn4j.layers.conv;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.Parallel;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-place ("direct") convolution gives the same bits as im2col + the vector GEMM, which is
 * what lets auto choose it without changing any result: forward on whole images, forward with the
 * pixels of fewer images than workers split over them, the kernel gradient read in place (no
 * input gradient wanted) and backward with the input gradient (delegated to im2col).
 */
class DirectConvolutionTest {

    static void assertSameBits(float[] actual, float[] expected, String what) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", im2col gives " + expected[i]);
            }
        }
    }

    @Property(tries = 80)
    void sameBitsAsIm2colOnRandomShapes(@ForAll @IntRange(min = 1, max = 14) int h, @ForAll @IntRange(min = 1, max = 14) int w,
                                        @ForAll @IntRange(min = 1, max = 6) int c, @ForAll @IntRange(min = 1, max = 41) int f,
                                        @ForAll @IntRange(min = 1, max = 5) int k, @ForAll @IntRange(min = 1, max = 3) int s,
                                        @ForAll boolean same, @ForAll @IntRange(min = 1, max = 3) int threads,
                                        @ForAll @IntRange(min = 1, max = 4) int n, @ForAll long seed) {
        if (!same && (h < k || w < k)) {
            return; // no output: the layer refuses this shape before any algorithm sees it
        }
        ConvolutionShape sh = ConvolutionAlgorithmsTest.shape(h, w, c, f, k, s, same ? "same" : "valid");
        Parallel parallel = new Parallel(threads);
        Gemm vector = Backends.select("vector", threads);
        DirectConvolution direct = new DirectConvolution(sh, vector, parallel);
        Im2ColBlockedConvolution im2col = new Im2ColBlockedConvolution(sh, vector, parallel);
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = ConvolutionAlgorithmsTest.uniform(r, n * sh.inputItem());
        float[] kernel = ConvolutionAlgorithmsTest.uniform(r, sh.kernelSize());
        float[] expected = new float[n * sh.outputItem()];
        im2col.forward(x, n, kernel, expected);

        float[] y = new float[n * sh.outputItem()];
        java.util.Arrays.fill(y, Float.NaN);
        direct.forward(x, n, kernel, y);
        assertSameBits(y, expected, "forward " + sh);

        float[] few = new float[n * sh.outputItem()];
        java.util.Arrays.fill(few, Float.NaN);
        assertThat(direct.forwardFewImages(x, n, kernel, few)).isTrue();
        assertSameBits(few, expected, "forward split by pixels " + sh);

        float[] dz = ConvolutionAlgorithmsTest.uniform(r, n * sh.outputItem());
        float[] dwDirect = new float[sh.kernelSize()], dwIm2col = new float[sh.kernelSize()];
        float[] dxDirect = new float[n * sh.inputItem()], dxIm2col = new float[n * sh.inputItem()];
        direct.backward(x, n, dz, kernel, dwDirect, dxDirect);
        im2col.backward(x, n, dz, kernel, dwIm2col, dxIm2col);
        assertSameBits(dwDirect, dwIm2col, "kernel gradient " + sh);
        assertSameBits(dxDirect, dxIm2col, "input gradient " + sh);

        // without the input gradient (a first layer) the kernel gradient is read in place too; added to what is there
        float[] start = ConvolutionAlgorithmsTest.uniform(r, sh.kernelSize());
        float[] onlyDirect = start.clone(), onlyIm2col = start.clone();
        direct.backward(x, n, dz, kernel, onlyDirect, null);
        im2col.backward(x, n, dz, kernel, onlyIm2col, null);
        assertSameBits(onlyDirect, onlyIm2col, "kernel gradient without input gradient " + sh);
    }

    @Test
    void handComputedSameConvolution() {
        // one 3×3 image, one channel, two filters, 3×3 kernel, "same" padding, stride 1:
        // filter 0 sums the window, filter 1 takes its centre twice
        ConvolutionShape sh = ConvolutionAlgorithmsTest.shape(3, 3, 1, 2, 3, 1, "same");
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] kernel = new float[9 * 2];
        for (int p = 0; p < 9; p++) {
            kernel[p * 2] = 1f;
        }
        kernel[4 * 2 + 1] = 2f;
        float[] y = new float[9 * 2];
        new DirectConvolution(sh, Backends.select("vector", 1), new Parallel(1)).forward(x, 1, kernel, y);
        float[] sums = {12, 21, 16, 27, 45, 33, 24, 39, 28};
        for (int q = 0; q < 9; q++) {
            assertThat(y[q * 2]).as("window sum at pixel " + q).isEqualTo(sums[q]);
            assertThat(y[q * 2 + 1]).as("twice the centre at pixel " + q).isEqualTo(2 * x[q]);
        }
    }

    @Test
    void stridedValidConvolutionReadsTheRightWindows() {
        // 5×5 image of its own indices, 1 channel, 1 filter picking the window's top-left cell, 2×2 kernel, stride 2, valid
        ConvolutionShape sh = ConvolutionAlgorithmsTest.shape(5, 5, 1, 1, 2, 2, "valid");
        float[] x = new float[25];
        for (int i = 0; i < 25; i++) {
            x[i] = i;
        }
        float[] kernel = {1, 0, 0, 0};
        float[] y = new float[4];
        new DirectConvolution(sh, Backends.select("vector", 2), new Parallel(2)).forward(x, 1, kernel, y);
        assertThat(y).containsExactly(0f, 2f, 10f, 12f);
    }
}
