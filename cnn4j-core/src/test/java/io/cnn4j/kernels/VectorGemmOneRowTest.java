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

    private static float[] random(SplittableRandom r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
