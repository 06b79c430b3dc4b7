package io.cnn4j.kernels;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.SplittableRandom;

/**
 * {@link VectorGemm}'s micro-kernels for A with unit depth stride (A untransposed) give the same bits
 * as the ones that read the same op(A) from a transposed copy (depth stride lda: the adjacent-rows
 * kernels for whole blocks, the general ones for edge rows): the specialisations only change how A
 * is addressed, each element keeps its FMA chain. Shapes cover
 * whole 6-row blocks, edge rows and columns, several k blocks, both betas and both thread counts.
 */
class VectorGemmDepthStrideTest {

    @Property(tries = 80)
    void unitDepthKernelsHaveTheBitsOfTheGeneralOnes(@ForAll @IntRange(min = 1, max = 60) int m,
                                                     @ForAll @IntRange(min = 1, max = 80) int n,
                                                     @ForAll @IntRange(min = 1, max = 400) int k,
                                                     @ForAll @IntRange(min = 0, max = 2) int betaKind,
                                                     @ForAll @IntRange(min = 1, max = 2) int threads,
                                                     @ForAll @IntRange(min = 0, max = 1000) int seed) {
        float beta = betaKind == 0 ? 0f : betaKind == 1 ? 1f : 0.5f;
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = random(r, m * k);
        float[] at = new float[k * m];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                at[p * m + i] = a[i * k + p];
            }
        }
        float[] b = random(r, k * n);
        float[] c0 = random(r, m * n);
        // kc = 64: k runs over several blocks, so the accumulating kernels are reached too
        VectorGemm g = new VectorGemm(threads, 64, 2 * VectorGemm.NR);
        float[] unit = c0.clone();
        g.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, beta, unit, 0, n);
        float[] general = c0.clone();
        g.sgemm(true, false, m, n, k, 1f, at, 0, m, b, 0, n, beta, general, 0, n);
        for (int e = 0; e < m * n; e++) {
            if (Float.floatToRawIntBits(unit[e]) != Float.floatToRawIntBits(general[e])) {
                throw new AssertionError("C[" + e / n + "][" + e % n + "]: unit-depth " + unit[e] + " vs general " + general[e]
                        + " (m=" + m + " n=" + n + " k=" + k + " beta=" + beta + " threads=" + threads + ")");
            }
        }
    }

    private static float[] random(SplittableRandom r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
