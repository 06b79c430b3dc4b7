package io.cnn4j.openblas;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.GemmProvider;
import io.cnn4j.kernels.ScalarGemm;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenBLAS backend agrees with the scalar reference and is found and preferred by {@link Backends}. */
class OpenBlasGemmTest {
    private static final OpenBlasGemm ONE = new OpenBlasGemm(1);

    @Test
    void isDiscoveredThroughServiceLoaderAndRankedBetweenVectorAndScalar() {
        List<String> names = Backends.providers().stream().map(GemmProvider::name).toList();
        assertThat(names).containsExactly("vector", "openblas", "scalar");
        GemmProvider openblas = Backends.providers().get(1);
        assertThat(openblas.isAvailable()).as(openblas.unavailableReason()).isTrue();
        // the Vector API is readable in tests (surefire adds the module), so it is the default
        assertThat(Backends.select(null, 2).name()).isEqualTo("vector");
        assertThat(Backends.select("OpenBLAS", 1)).isInstanceOf(OpenBlasGemm.class);
        assertThat(OpenBlasGemm.describe()).contains("OpenBLAS");
    }

    @Property(tries = 80)
    void agreesWithScalar(@ForAll @IntRange(min = 0, max = 60) int m, @ForAll @IntRange(min = 0, max = 70) int n,
                          @ForAll @IntRange(min = 0, max = 50) int k, @ForAll boolean transA, @ForAll boolean transB,
                          @ForAll @IntRange(min = 0, max = 4) int pad, @ForAll @IntRange(min = 0, max = 3) int alphaBeta,
                          @ForAll long seed) {
        float alpha = new float[]{1f, 0.5f, -2f, 1f}[alphaBeta];
        float beta = new float[]{0f, 1f, 0.25f, -1f}[alphaBeta];
        check(ONE, transA, transB, m, n, k, alpha, beta, pad, seed);
    }

    @Test
    void agreesWithScalarOnConvShapesWithTwoThreads() {
        Gemm g = new OpenBlasGemm(2);
        int rows = 2 * 46 * 46;
        check(g, false, false, rows, 64, 288, 1f, 0f, 0, 1);
        check(g, true, false, 288, 64, rows, 1f, 1f, 0, 2);
        check(g, false, true, rows, 288, 64, 1f, 0f, 0, 3);
        check(g, false, false, 2, 256, 22 * 22 * 64, 1f, 0f, 0, 4);
    }

    @Test
    void saysItsWorkersSpinSoLayersStayOnOneThread() {
        assertThat(new OpenBlasGemm(2).busyWaits()).isTrue();
        assertThat(new OpenBlasGemm(1).busyWaits()).isFalse();
        assertThat(new OpenBlasGemm(1).forOneThread()).as("no concurrent one-thread instances: OpenBLAS threads are process-wide").isNull();
    }

    @Test
    void buffersGrowAndShrinkingCallsStillAgree() {
        OpenBlasGemm g = new OpenBlasGemm(1);
        check(g, false, false, 50, 40, 30, 1f, 0f, 3, 5);
        check(g, false, false, 3, 2, 4, 1f, 0.5f, 1, 6);
        check(g, true, true, 70, 33, 61, -1f, 1f, 2, 7);
        g.close();
        check(g, false, true, 5, 6, 7, 1f, 0f, 0, 8);
    }

    static void check(Gemm g, boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, int pad, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = Math.max(1, aCols + pad), ldb = Math.max(1, bCols + 2 * pad), ldc = Math.max(1, n + pad);
        int aOff = pad, bOff = 3 * pad, cOff = 2 * pad;
        float[] a = random(r, aOff + aRows * lda + 1), b = random(r, bOff + bRows * ldb + 1), c0 = random(r, cOff + m * ldc + 1);
        float[] expected = c0.clone(), actual = c0.clone();
        new ScalarGemm().sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
        g.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc);
        float tol = 4e-5f * (float) Math.sqrt(Math.max(1, k));
        for (int i = 0; i < actual.length; i++) {
            int rel = i - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside) {
                assertThat(actual[i]).as("wrote outside C at %d", i).isEqualTo(c0[i]);
            } else {
                assertThat(Math.abs(actual[i] - expected[i]) / Math.max(1f, Math.abs(expected[i])))
                        .as("C(%d,%d) m=%d n=%d k=%d tA=%s tB=%s", rel / ldc, rel % ldc, m, n, k, transA, transB)
                        .isLessThanOrEqualTo(tol);
            }
        }
    }

    static float[] random(SplittableRandom r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }
}
