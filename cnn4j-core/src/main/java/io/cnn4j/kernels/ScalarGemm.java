package io.cnn4j.kernels;

/**
 * The reference GEMM: plain loops, one thread, accumulation in the order of k; no Keras counterpart. It is the oracle in
 * tests and the fallback when no faster backend is available. The i-k-j loop order keeps the inner
 * loop contiguous in B and C so that the JIT can vectorise it.
 *
 * <p>Calls on one instance are serialised (as {@link VectorGemm}'s), so that the row accumulator
 * can be kept between calls instead of allocated by each; each thread of a parallel layer has its
 * own instance ({@link #forOneThread()}).
 */
public final class ScalarGemm implements Gemm {
    /** Accumulator for one row of C, grown on demand. */
    private float[] row = new float[0];

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public Gemm forOneThread() {
        return new ScalarGemm();
    }

    @Override
    public synchronized void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        Gemm.checkArguments(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) {
                    c[ci + j] *= beta;
                }
            }
        }
        if (!transB) {
            if (row.length < n) {
                row = new float[n];
            }
            float[] row = this.row;
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(row, 0, n, 0f);
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    if (av == 0f) {
                        continue;
                    }
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        row[j] += av * b[bp + j];
                    }
                }
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += alpha * row[j];
                }
            }
        } else {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    float s = 0f;
                    if (transA) {
                        for (int p = 0; p < k; p++) {
                            s += a[aOff + p * lda + i] * b[bj + p];
                        }
                    } else {
                        int ai = aOff + i * lda;
                        for (int p = 0; p < k; p++) {
                            s += a[ai + p] * b[bj + p];
                        }
                    }
                    c[ci + j] += alpha * s;
                }
            }
        }
    }
}
