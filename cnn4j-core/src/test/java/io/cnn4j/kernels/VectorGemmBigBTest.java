package io.cnn4j.kernels;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A product whose B is read in place and holds ≥ 1 MB (a dense layer's x·W at batch > 1) takes a
 * pre-touch of each B block and a column split in chunks of several panels: every element is still
 * one FMA chain over k in order from +0 (written out here in scalar Math.fma), at 1, 2 and 3 threads.
 */
class VectorGemmBigBTest {

    @Property(tries = 12)
    void aBigInPlaceBGivesOneFmaChainPerElement(@ForAll @IntRange(min = 2, max = 40) int m,
                                                @ForAll @IntRange(min = 9, max = 16) int panels,
                                                @ForAll boolean wholePanels,
                                                @ForAll @IntRange(min = 1, max = 3) int threads,
                                                @ForAll @IntRange(min = 0, max = 1000) int seed) {
        // 288–512 columns whatever the vector width; whole 32-column panels are read in place
        int n = panels * 32 + (wholePanels ? 0 : 7);
        // k × n ≥ 2^18 floats (the big-B path), k < 4n (no depth split, whose partial sums are another story)
        int kMin = (1 << 18) / n + 1, kMax = 4 * n - 1;
        int k = kMin + seed % (kMax - kMin + 1);
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = random(r, m * k), b = random(r, k * n);
        float[] got = new float[m * n];
        new VectorGemm(threads).sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, got, 0, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float chain = 0f;
                for (int p = 0; p < k; p++) {
                    chain = Math.fma(a[i * k + p], b[p * n + j], chain);
                }
                assertThat(Float.floatToRawIntBits(got[i * n + j])).as("C[%d][%d]", i, j).isEqualTo(Float.floatToRawIntBits(chain));
            }
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() - 0.5);
        }
        return x;
    }
}
