package io.cnn4j.layers.conv;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.ConvGeometry;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.Padding;
import io.cnn4j.kernels.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every convolution algorithm against the double-precision reference (forward, kernel and input
 * gradients) on shapes beyond 3×3 stride 1, and the chooser's rule.
 */
class ConvolutionAlgorithmsTest {

    static ConvolutionShape shape(int h, int w, int c, int f, int k, int s, String padding) {
        Padding p = Padding.parse(padding);
        return new ConvolutionShape(c, f, ConvGeometry.of(h, k, s, p), ConvGeometry.of(w, k, s, p));
    }

    /** The vector backend without one-thread instances, as OpenBLAS. */
    static Gemm sharedOnly(int threads) {
        Gemm inner = Backends.select("vector", threads);
        return new Gemm() {
            @Override
            public String name() {
                return "shared-only";
            }

            @Override
            public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                              float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
                inner.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            }
        };
    }

    static float[] uniform(SplittableRandom r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (2 * r.nextDouble() - 1);
        }
        return v;
    }

    static double relative(float[] y, double[] ref) {
        return ConvolutionReference.relativeMaxError(y, ref);
    }

    @ParameterizedTest(name = "{0}x{1}x{2} -> {3}, {4}x{4} stride {5} {6}, {7} threads")
    @CsvSource({"9,9,3,8,3,1,valid,2", "10,11,32,16,3,1,same,2", "9,9,16,8,5,2,same,2", "8,8,8,4,3,2,valid,1",
            "7,9,4,6,5,1,same,3", "6,6,16,16,1,1,valid,2"})
    void everyAlgorithmMatchesTheDoubleReference(int h, int w, int c, int f, int k, int s, String padding, int threads) {
        ConvolutionShape sh = shape(h, w, c, f, k, s, padding);
        Parallel parallel = new Parallel(threads);
        List<ConvolutionAlgorithm> algorithms = new ArrayList<>();
        algorithms.add(new Im2ColBlockedConvolution(sh, Backends.select("vector", threads), parallel));
        algorithms.add(new Im2ColBlockedConvolution(sh, Backends.select("scalar", threads), parallel));
        algorithms.add(new Im2ColBatchedConvolution(sh, Backends.select("vector", threads), parallel));
        algorithms.add(new Im2ColBatchedConvolution(sh, sharedOnly(threads), parallel));
        algorithms.add(new DirectConvolution(sh, Backends.select("vector", threads), parallel));
        if (WinogradConvolution.applies(sh)) {
            algorithms.add(new WinogradConvolution(sh, Backends.select("vector", threads), parallel));
        }
        SplittableRandom r = new SplittableRandom(h * 131L + c * 7L + k);
        int n = threads + 1;
        float[] x = uniform(r, n * sh.inputItem());
        float[] kernel = uniform(r, sh.kernelSize());
        float[] dz = uniform(r, n * sh.outputItem());
        double[] y = ConvolutionReference.forward(sh, x, n, kernel);
        double[] dw = new double[sh.kernelSize()], dx = new double[n * sh.inputItem()];
        ConvolutionReference.backward(sh, x, n, dz, kernel, dw, dx);
        for (ConvolutionAlgorithm a : algorithms) {
            String what = a.getClass().getSimpleName();
            assertThat(a.shape()).isEqualTo(sh);
            assertThat(a.relativeMaxError(x, n, kernel)).as(what + " forward").isLessThan(1e-5);
            float[] out = new float[n * sh.outputItem()];
            a.forward(x, n, kernel, out);
            assertThat(relative(out, y)).as(what + " forward").isLessThan(1e-5);
            // the kernel gradient is added to what is there; the input gradient overwrites
            float[] kernelGrad = new float[sh.kernelSize()];
            float[] inputGrad = new float[n * sh.inputItem()];
            java.util.Arrays.fill(inputGrad, 7f);
            a.backward(x, n, dz, kernel, kernelGrad, inputGrad);
            assertThat(relative(inputGrad, dx)).as(what + " input gradient").isLessThan(1e-5);
            assertThat(relative(kernelGrad, dw)).as(what + " kernel gradient").isLessThan(1e-5);
            float[] again = kernelGrad.clone();
            a.backward(x, n, dz, kernel, again, null);
            for (int i = 0; i < again.length; i++) {
                again[i] -= kernelGrad[i];
            }
            assertThat(relative(again, dw)).as(what + " kernel gradient accumulated, without the input gradient").isLessThan(1e-4);
        }
    }

    @Test
    void chooserKeepsTheRule() {
        Parallel two = new Parallel(2);
        Gemm vector = Backends.select("vector", 2);
        ConvolutionShape deep3x3 = shape(10, 10, 32, 8, 3, 1, "same");
        ConvolutionShape shallow3x3 = shape(10, 10, 3, 8, 3, 1, "same");
        ConvolutionShape strided = shape(10, 10, 32, 8, 3, 2, "same");
        ConvolutionShape fiveByFive = shape(10, 10, 32, 8, 5, 1, "same");

        assertThat(ConvolutionAlgorithms.choose(deep3x3, vector, two, ConvAlgorithm.AUTO)).isInstanceOf(WinogradConvolution.class);
        // auto reads shallow inputs in place with the vector backend (depth 27 ≤ 64), copies them with the scalar one
        assertThat(ConvolutionAlgorithms.choose(shallow3x3, vector, two, ConvAlgorithm.AUTO)).isInstanceOf(DirectConvolution.class);
        assertThat(ConvolutionAlgorithms.choose(shallow3x3, Backends.select("scalar", 2), two, ConvAlgorithm.AUTO))
                .isInstanceOf(Im2ColBlockedConvolution.class);
        assertThat(ConvolutionAlgorithms.choose(shallow3x3, vector, two, ConvAlgorithm.IM2COL)).isInstanceOf(Im2ColBlockedConvolution.class);
        assertThat(ConvolutionAlgorithms.choose(fiveByFive, vector, two, ConvAlgorithm.DIRECT)).isInstanceOf(DirectConvolution.class);
        assertThat(ConvolutionAlgorithms.choose(deep3x3, vector, two, ConvAlgorithm.DIRECT)).isInstanceOf(DirectConvolution.class);
        assertThat(ConvolutionAlgorithms.choose(shape(10, 10, 8, 8, 3, 1, "same"), vector, two, ConvAlgorithm.AUTO))
                .as("depth 72 > 64").isInstanceOf(Im2ColBlockedConvolution.class);
        ConvolutionAlgorithm direct = ConvolutionAlgorithms.choose(shallow3x3, vector, two, ConvAlgorithm.AUTO);
        assertThat(direct.name()).isEqualTo("direct");
        assertThat(direct.minImages()).isEqualTo(2);
        assertThat(direct.workspaceFloats()).isPositive().isLessThanOrEqualTo(ConvolutionAlgorithms.workspaceFloatsBound(shallow3x3, 2));
        assertThat(ConvolutionAlgorithms.choose(shallow3x3, vector, two, ConvAlgorithm.WINOGRAD)).isInstanceOf(WinogradConvolution.class);
        assertThat(ConvolutionAlgorithms.choose(deep3x3, vector, two, ConvAlgorithm.IM2COL)).isInstanceOf(Im2ColBlockedConvolution.class);
        assertThat(ConvolutionAlgorithms.choose(strided, vector, two, ConvAlgorithm.WINOGRAD)).isInstanceOf(Im2ColBlockedConvolution.class);
        assertThat(ConvolutionAlgorithms.choose(fiveByFive, vector, two, ConvAlgorithm.WINOGRAD)).isInstanceOf(Im2ColBlockedConvolution.class);
        for (ConvAlgorithm a : ConvAlgorithm.values()) {
            ConvolutionAlgorithm chosen = ConvolutionAlgorithms.choose(deep3x3, sharedOnly(2), two, a);
            assertThat(chosen).as(a.lower() + " without one-thread GEMMs").isInstanceOf(Im2ColBatchedConvolution.class);
            assertThat(chosen.name()).isEqualTo("im2col");
            assertThat(chosen.minImages()).isEqualTo(1);
        }
        ConvolutionAlgorithm winograd = ConvolutionAlgorithms.choose(deep3x3, vector, two, ConvAlgorithm.AUTO);
        assertThat(winograd.name()).isEqualTo("winograd");
        assertThat(winograd.minImages()).isEqualTo(2);
        assertThat(winograd.workspaceFloats()).isPositive().isLessThanOrEqualTo(ConvolutionAlgorithms.workspaceFloatsBound(deep3x3, 2));
        ConvolutionAlgorithm blocked = ConvolutionAlgorithms.choose(fiveByFive, vector, two, ConvAlgorithm.AUTO);
        assertThat(blocked.workspaceFloats()).isPositive().isLessThanOrEqualTo(ConvolutionAlgorithms.workspaceFloatsBound(fiveByFive, 2));
        assertThat(blocked.bufferFloatsPerSample(true)).isZero();
        ConvolutionAlgorithm batched = new Im2ColBatchedConvolution(fiveByFive, vector, two);
        long columns = 10L * 10 * 5 * 5 * 32;
        assertThat(batched.bufferFloatsPerSample(false)).isEqualTo(columns);
        assertThat(batched.bufferFloatsPerSample(true)).isEqualTo(2 * columns);
    }

    @Test
    void winogradRefusesShapesItCannotCompute() {
        assertThatThrownBy(() -> new WinogradConvolution(shape(10, 10, 8, 8, 3, 2, "same"), Backends.select("vector", 1), new Parallel(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3x3 kernel with stride 1").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> new Im2ColBlockedConvolution(shape(10, 10, 8, 8, 3, 1, "same"), sharedOnly(1), new Parallel(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one-thread GEMMs").hasMessageContaining("shared-only");
    }
}
