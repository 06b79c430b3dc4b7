package io.cnn4j.kernels;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every block size {@link KernelTuner} may choose gives the bits of the defaults: the per-CPU
 * tuning changes speed only, so a model trained on a tuned Zen 5 and an untuned Zen 4 (same thread
 * count) agree bit for bit, and the study's committed results still reproduce.
 */
class KernelTuningBitsTest {

    @Provide
    Arbitrary<KernelTuning> tunings() {
        return Arbitraries.of(KernelTuning.KC_CANDIDATES).flatMap(kc -> Arbitraries.of(KernelTuning.NC_CANDIDATES)
                .flatMap(nc -> Arbitraries.of(KernelTuning.CHUNK_CANDIDATES)
                        .flatMap(ch -> Arbitraries.of(KernelTuning.ROWS_CANDIDATES).map(mr -> new KernelTuning(kc, nc, ch, mr)))));
    }

    /** Shapes from one row (a batch of one) to a depth split over two threads (k ≫ m, n), with both transposes and betas. */
    @Property(tries = 80)
    void vectorGemmHasTheDefaultsBitsUnderEveryTuning(@ForAll("tunings") KernelTuning tuning,
                                                      @ForAll @IntRange(min = 1, max = 80) int m,
                                                      @ForAll @IntRange(min = 1, max = 2100) int n,
                                                      @ForAll @IntRange(min = 1, max = 3000) int k,
                                                      @ForAll boolean transA, @ForAll boolean transB,
                                                      @ForAll @IntRange(min = 0, max = 2) int betaKind,
                                                      @ForAll @IntRange(min = 1, max = 2) int threads,
                                                      @ForAll @IntRange(min = 0, max = 1000) int seed) {
        // keep a try small: at most ≈ 4M multiply-adds
        n = (int) Math.max(1, Math.min(n, 4_000_000L / ((long) m * k)));
        float beta = betaKind == 0 ? 0f : betaKind == 1 ? 1f : 0.5f;
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = random(r, m * k), b = random(r, k * n), c0 = random(r, m * n);
        float[] expected = c0.clone(), got = c0.clone();
        int lda = transA ? m : k, ldb = transB ? k : n;
        new VectorGemm(threads).sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, beta, expected, 0, n);
        new VectorGemm(threads, tuning).sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, beta, got, 0, n);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(got[i])).as("C[%d] with %s", i, tuning.describe())
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    /** The depth split (k ≫ m, n on two threads): its cut between threads must not follow the tuned kc. */
    @Property(tries = 20)
    void aDepthSplitCutsKWhereverKcIs(@ForAll("tunings") KernelTuning tuning, @ForAll @IntRange(min = 2000, max = 20000) int k,
                                     @ForAll @IntRange(min = 0, max = 1000) int seed) {
        int m = 24, n = 32;
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = random(r, k * m), b = random(r, k * n);
        float[] expected = new float[m * n], got = new float[m * n];
        // the weight gradient's form: Aᵀ stored k × m
        new VectorGemm(2).sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, expected, 0, n);
        new VectorGemm(2, tuning).sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, got, 0, n);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(got[i])).as("C[%d] with %s", i, tuning.describe())
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    @Property(tries = 16)
    void winogradHasTheDefaultsBitsUnderEveryChunk(@ForAll("tunings") KernelTuning tuning,
                                                   @ForAll @IntRange(min = 3, max = 40) int size,
                                                   @ForAll @IntRange(min = 1, max = 48) int channels,
                                                   @ForAll @IntRange(min = 1, max = 48) int filters,
                                                   @ForAll boolean same, @ForAll @IntRange(min = 0, max = 1000) int seed) {
        ConvGeometry g = ConvGeometry.of(size, 3, 1, same ? Padding.SAME : Padding.VALID);
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = random(r, size * size * channels), kernel = random(r, 9 * channels * filters);
        float[] expected = forward(new WinogradConv3x3(channels, filters, g, g), new VectorGemm(1), x, kernel, g, filters);
        float[] got = forward(new WinogradConv3x3(channels, filters, g, g, tuning.winogradChunkFloats()),
                new VectorGemm(1, tuning), x, kernel, g, filters);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(got[i])).as("y[%d] with %s", i, tuning.describe())
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    private static float[] forward(WinogradConv3x3 w, Gemm gemm, float[] x, float[] kernel, ConvGeometry g, int filters) {
        float[] u = new float[w.transformedKernelSize()];
        w.transformKernel(kernel, u);
        float[] y = new float[g.out() * g.out() * filters];
        w.forward(gemm, w.newWorkspace(), x, 0, u, y, 0);
        return y;
    }

    private static float[] random(SplittableRandom r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
