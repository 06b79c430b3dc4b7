package io.cnn4j.kernels;

/**
 * Single-precision general matrix multiply on row-major arrays:
 * {@code C = alpha * op(A) * op(B) + beta * C}, where op(A) is m×k, op(B) is k×n and C is m×n; no Keras counterpart.
 *
 * <p>{@code lda}, {@code ldb} and {@code ldc} are row strides of the arrays as stored (so for a
 * transposed A stored k×m, lda ≥ m). Every layer's matrix work goes through this interface; the
 * scalar {@link ScalarGemm} is the reference that every other backend is tested against.
 * Implementations may use several threads inside one call but must give the same result for the
 * same inputs at a fixed thread count.
 */
public interface Gemm {
    String name();

    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /**
     * A new, independent instance of this backend that uses one thread and may run at the same
     * time as other such instances (one per worker thread of a layer that splits its own work), or
     * null when the backend cannot do that (OpenBLAS: one process-wide thread pool and buffers).
     */
    default Gemm forOneThread() {
        return null;
    }

    /**
     * True when the backend's own worker threads keep spinning on the cores for a while after a
     * call returns (OpenBLAS does). Layers then run their other loops on the calling thread only,
     * so that Java threads and the backend's threads never compete for the same cores.
     */
    default boolean busyWaits() {
        return false;
    }

    /**
     * The block sizes this instance runs with (per-CPU tuned for the vector backend, {@link
     * KernelTuner}); layers that block their own loops around the GEMM (Winograd's chunks of
     * tiles) take theirs from here too. Never changes a result's bits.
     */
    default KernelTuning tuning() {
        return KernelTuning.DEFAULTS;
    }

    /** Plain row-major C = A·B with packed strides (lda = k, ldb = n, ldc = n). */
    default void multiply(int m, int n, int k, float[] a, float[] b, float[] c) {
        sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
    }

    /** Checks the arguments every backend must agree on, so that a bad call fails the same way everywhere. */
    static void checkArguments(boolean transA, boolean transB, int m, int n, int k,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative GEMM size m=" + m + " n=" + n + " k=" + k);
        }
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        check("A", a, aOff, aRows, aCols, lda);
        check("B", b, bOff, bRows, bCols, ldb);
        check("C", c, cOff, m, n, ldc);
    }

    private static void check(String what, float[] x, int off, int rows, int cols, int ld) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (ld < cols) {
            throw new IllegalArgumentException("GEMM " + what + ": leading dimension " + ld + " < columns " + cols);
        }
        long last = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > x.length) {
            throw new IllegalArgumentException("GEMM " + what + ": " + rows + "×" + cols + " (ld " + ld + ", offset " + off
                    + ") does not fit an array of " + x.length);
        }
    }
}
