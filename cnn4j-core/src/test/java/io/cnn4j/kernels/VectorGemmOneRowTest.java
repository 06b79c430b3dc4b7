package io.cnn4j.kernels;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-row path of {@link VectorGemm} (a batch of one through a dense layer) gives the same bits
 * as the same row computed by the 6-row micro-kernel, for every shape, transpose of A, beta and k
 * split into several blocks: a single image's prediction equals its row of a batch prediction.
 */
class VectorGemmOneRowTest {

    @Property(tries = 60)
    void oneRowHasTheBitsOfTheSameRowInABlockOfSix(@ForAll @IntRange(min = 1, max = 700) int k,
                                                   @ForAll @IntRange(min = 1, max = 90) int n,
                                                   @ForAll boolean transA, @ForAll @IntRange(min = 0, max = 2) int betaKind,
                                                   @ForAll @IntRange(min = 0, max = 1000) int seed) {
        float beta = betaKind == 0 ? 0f : betaKind == 1 ? 1f : 0.5f;
        SplittableRandom r = new SplittableRandom(seed);
        int m = 6;
        float[] a = random(r, m * k);
        float[] b = random(r, k * n);
        float[] c0 = random(r, m * n);
        // kc = 64 so that k runs over several blocks; one thread: both calls take the blocked path
        VectorGemm g = new VectorGemm(1, 64, 2 * VectorGemm.NR);
        float[] six = c0.clone();
        g.sgemm(transA, false, m, n, k, 1f, a, 0, transA ? m : k, b, 0, n, beta, six, 0, n);
        // row 0 alone: op(A) row 0 is column 0 of A when transposed (lda = m), row 0 otherwise
        float[] one = java.util.Arrays.copyOf(c0, n);
        g.sgemm(transA, false, 1, n, k, 1f, a, 0, transA ? m : k, b, 0, n, beta, one, 0, n);
        for (int j = 0; j < n; j++) {
            assertThat(Float.floatToRawIntBits(one[j])).as("column %d", j).isEqualTo(Float.floatToRawIntBits(six[j]));
        }
    }

    @Test
    void aDenseLayersBatchOfOneAgreesWithScalarOnTwoThreads() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 256, k = 3000;
        float[] a = random(r, k);
        float[] b = random(r, k * n);
        float[] expected = new float[n];
        new ScalarGemm().sgemm(false, false, 1, n, k, 1f, a, 0, k, b, 0, n, 0f, expected, 0, n);
        float[] got = new float[n];
        new VectorGemm(2).sgemm(false, false, 1, n, k, 1f, a, 0, k, b, 0, n, 0f, got, 0, n);
        for (int j = 0; j < n; j++) {
            assertThat(got[j]).isCloseTo(expected[j], org.assertj.core.data.Offset.offset(1e-4f * Math.max(1f, Math.abs(expected[j]))));
        }
    }

    /**
     * A long one-row product (a batch of one through the seed net's dense layer) is cut into blocks
     * of k fixed by k alone, summed in block order: the same bits at 1, 2 and 3 threads and on
     * every call (the blocks go to whichever thread is free), with any column count (wide
     * 256-column groups and the columns left), A transposed or not, and beta.
     */
    @Property(tries = 12)
    void aLongRowHasTheSameBitsAtEveryThreadCount(@ForAll @IntRange(min = 2 * VectorGemm.ROW_SPLIT_BLOCK, max = 40_000) int k,
                                                 @ForAll @IntRange(min = 1, max = 600) int n, @ForAll boolean transA,
                                                 @ForAll @IntRange(min = 0, max = 2) int betaKind,
                                                 @ForAll @IntRange(min = 0, max = 1000) int seed) {
        n = Math.max(n, (1 << 18) / k + 1); // long enough for the parallel path
        float beta = betaKind == 0 ? 0f : betaKind == 1 ? 1f : 0.5f;
        SplittableRandom r = new SplittableRandom(seed);
        int lda = transA ? 3 : k; // op(A) row 0: column 0 of a k × 3 A when transposed
        float[] a = random(r, transA ? 3 * k : k), b = random(r, k * n), c0 = random(r, n);
        float[] expected = c0.clone();
        new ScalarGemm().sgemm(transA, false, 1, n, k, 1f, a, 0, lda, b, 0, n, beta, expected, 0, n);
        float[] first = null;
        for (int threads : new int[]{1, 2, 3, 2}) {
            float[] got = c0.clone();
            new VectorGemm(threads).sgemm(transA, false, 1, n, k, 1f, a, 0, lda, b, 0, n, beta, got, 0, n);
            if (first == null) {
                first = got;
                for (int j = 0; j < n; j++) {
                    double tol = 1e-5 * Math.sqrt(k) * Math.max(1, Math.abs(expected[j]));
                    assertThat((double) got[j]).as("column %d vs scalar", j).isCloseTo(expected[j], org.assertj.core.data.Offset.offset(tol));
                }
            }
            for (int j = 0; j < n; j++) {
                assertThat(Float.floatToRawIntBits(got[j])).as("column %d at %d threads", j, threads)
                        .isEqualTo(Float.floatToRawIntBits(first[j]));
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
