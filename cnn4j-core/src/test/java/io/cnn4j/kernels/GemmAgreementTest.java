package io.cnn4j.kernels;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every GEMM backend found on the class path agrees with {@link ScalarGemm} on random shapes,
 * transposes, offsets, leading dimensions and alpha/beta, and on the products the VGG-like net does.
 * Backends run with 1 and 2 threads, and with small blocks so that every edge path is exercised.
 */
class GemmAgreementTest {

    /** Backends under test: every available provider (except scalar itself) at 1 and 3 threads, plus a small-block vector kernel. */
    static List<Gemm> backends() {
        List<Gemm> out = new ArrayList<>();
        for (GemmProvider p : Backends.providers()) {
            if (p.isAvailable() && !p.name().equals("scalar")) {
                out.add(p.create(1));
                out.add(p.create(3));
            }
        }
        if (new VectorGemmProvider().isAvailable()) {
            // tiny blocks: many k blocks (beta handling across blocks), several packed row/column blocks
            out.add(new VectorGemm(2, 7, VectorGemm.NR));
        }
        return out;
    }

    static Stream<Gemm> backendStream() {
        return backends().stream();
    }

    @Test
    void vectorBackendIsAvailableInTests() {
        // surefire adds --add-modules jdk.incubator.vector; without it this whole test class would test nothing
        assertThat(new VectorGemmProvider().isAvailable()).as(new VectorGemmProvider().unavailableReason()).isTrue();
        assertThat(backends()).isNotEmpty();
    }

    @Property(tries = 60)
    void agreesWithScalarOnRandomProblems(@ForAll @IntRange(min = 0, max = 70) int m,
                                          @ForAll @IntRange(min = 0, max = 90) int n,
                                          @ForAll @IntRange(min = 0, max = 80) int k,
                                          @ForAll boolean transA, @ForAll boolean transB,
                                          @ForAll @IntRange(min = 0, max = 5) int pad,
                                          @ForAll @IntRange(min = 0, max = 3) int alphaBeta,
                                          @ForAll long seed) {
        float alpha = new float[]{1f, 0.5f, -2f, 1f}[alphaBeta];
        float beta = new float[]{0f, 1f, 0.25f, -1f}[alphaBeta];
        for (Gemm g : backends()) {
            check(g, transA, transB, m, n, k, alpha, beta, pad, seed);
        }
    }

    /** The products of the VGG-like net (100×100×3 input) at batch 2: conv forward, weight gradient, input gradient, dense. */
    static Stream<int[]> vggShapes() {
        List<int[]> shapes = new ArrayList<>();
        int[][] convs = {{98 * 98, 27, 32}, {96 * 96, 288, 32}, {46 * 46, 288, 64}, {44 * 44, 576, 64}};
        int batch = 2;
        for (int[] cv : convs) {
            int rows = batch * cv[0], kk = cv[1], f = cv[2];
            shapes.add(new int[]{0, 0, rows, f, kk});   // forward: cols · W
            shapes.add(new int[]{1, 0, kk, f, rows});   // weight gradient: colsᵀ · dz
            shapes.add(new int[]{0, 1, rows, kk, f});   // input gradient: dz · Wᵀ
        }
        int flat = 22 * 22 * 64;
        shapes.add(new int[]{0, 0, batch, 256, flat});
        shapes.add(new int[]{1, 0, flat, 256, batch});
        shapes.add(new int[]{0, 1, batch, flat, 256});
        shapes.add(new int[]{0, 0, batch, 10, 256});
        return shapes.stream();
    }

    @ParameterizedTest
    @MethodSource("vggShapes")
    void agreesWithScalarOnVggShapes(int[] s) {
        for (Gemm g : backends()) {
            check(g, s[0] == 1, s[1] == 1, s[2], s[3], s[4], 1f, s[0] == 1 ? 1f : 0f, 0, 42);
        }
    }

    @ParameterizedTest
    @MethodSource("backendStream")
    void sameResultOnRepeatedCalls(Gemm g) {
        // the weight-gradient shape takes the k-split path with per-thread partial sums
        int m = 27, n = 32, k = 20_000;
        SplittableRandom r = new SplittableRandom(7);
        float[] a = random(r, k * m), b = random(r, k * n);
        float[] c1 = new float[m * n], c2 = new float[m * n];
        g.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, c1, 0, n);
        g.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, c2, 0, n);
        assertThat(c2).containsExactly(c1);
    }

    @ParameterizedTest
    @MethodSource("backendStream")
    void betaZeroIgnoresNanInC(Gemm g) {
        float[] a = {1, 2, 3, 4}, b = {1, 0, 0, 1};
        float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        g.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertThat(c).containsExactly(1, 2, 3, 4);
    }

    @ParameterizedTest
    @MethodSource("backendStream")
    void rejectsArraysTooSmallForTheShape(Gemm g) {
        float[] a = new float[5], b = new float[6], c = new float[6];
        assertThatThrownBy(() -> g.sgemm(false, false, 2, 3, 3, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GEMM A");
    }

    static void check(Gemm g, boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, int pad, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = Math.max(1, aCols + pad), ldb = Math.max(1, bCols + 2 * pad), ldc = Math.max(1, n + pad);
        int aOff = pad, bOff = 3 * pad, cOff = 2 * pad;
        float[] a = random(r, aOff + aRows * lda + 1);
        float[] b = random(r, bOff + bRows * ldb + 1);
        float[] c0 = random(r, cOff + m * ldc + 1);
        float[] expected = c0.clone();
        float[] actual = c0.clone();
        new ScalarGemm().sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
        g.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc);
        // elements outside C's rows × columns must be untouched; inside, a relative tolerance scaled by k
        float tol = 1e-5f * (float) Math.sqrt(Math.max(1, k)) * 4;
        for (int i = 0; i < actual.length; i++) {
            int rel = i - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside) {
                assertThat(actual[i]).as("%s wrote outside C at %d (%s)", g.name(), i, describe(transA, transB, m, n, k, pad))
                        .isEqualTo(c0[i]);
            } else {
                float e = expected[i];
                float scaleRef = Math.max(1f, Math.abs(e));
                assertThat(Math.abs(actual[i] - e) / scaleRef)
                        .as("%s at C(%d,%d): %s vs %s (%s, alpha %s beta %s)", g.name(), rel / ldc, rel % ldc, actual[i], e,
                                describe(transA, transB, m, n, k, pad), alpha, beta)
                        .isLessThanOrEqualTo(tol);
            }
        }
    }

    private static String describe(boolean ta, boolean tb, int m, int n, int k, int pad) {
        return "transA=" + ta + " transB=" + tb + " m=" + m + " n=" + n + " k=" + k + " pad=" + pad;
    }

    static float[] random(SplittableRandom r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    @Test
    void vectorKernelHasTheDocumentedBlock() {
        assertThat(VectorGemm.MR).isEqualTo(6);
        assertThat(VectorGemm.NR).isEqualTo(2 * VectorGemm.vectorLength());
        assertThat(Arrays.asList(4, 8, 16)).contains(VectorGemm.vectorLength());
    }
}
