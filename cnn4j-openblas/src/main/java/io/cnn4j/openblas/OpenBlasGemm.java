package io.cnn4j.openblas;

import io.cnn4j.kernels.Gemm;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_full;

/**
 * SGEMM by OpenBLAS ({@code cblas_sgemm}, row-major) through {@code org.bytedeco:openblas}.
 *
 * <p>The operands are copied into off-heap buffers that this instance keeps and grows as needed,
 * and the call is made on those: passing {@code float[]} makes JavaCPP pin or copy the whole
 * arrays on every call, measured 4–70% slower on this library's products (issue 3), while the copy
 * here touches only the rows the product reads. OpenBLAS' thread count is process-wide; it is set
 * to this backend's thread count when the backend is created, so that OpenBLAS never runs more
 * threads than cnn4j was given (the Java side calls GEMM from one thread at a time).
 */
public final class OpenBlasGemm implements Gemm, AutoCloseable {
    private final int threads;
    private FloatPointer bufA = new FloatPointer(0L);
    private FloatPointer bufB = new FloatPointer(0L);
    private FloatPointer bufC = new FloatPointer(0L);
    private long capA, capB, capC;

    public OpenBlasGemm(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        this.threads = threads;
        openblas_full.openblas_set_num_threads(threads);
    }

    @Override
    public String name() {
        return "openblas";
    }

    public int threads() {
        return threads;
    }

    /** OpenBLAS' workers spin after each call (OPENBLAS_THREAD_TIMEOUT), so layers keep their own loops on one thread. */
    @Override
    public boolean busyWaits() {
        return threads > 1;
    }

    /** OpenBLAS' own description of its build and the core it chose, e.g. "OpenBLAS 0.3.31 DYNAMIC_ARCH ... SkylakeX". */
    public static String describe() {
        return openblas_full.openblas_get_config().getString() + " core=" + openblas_full.openblas_get_corename().getString();
    }

    @Override
    public synchronized void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc) {
        Gemm.checkArguments(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        // the spans each operand occupies in its array: (rows − 1) · ld + columns
        long spanA = k == 0 ? 0 : span(transA ? k : m, transA ? m : k, lda);
        long spanB = k == 0 ? 0 : span(transB ? n : k, transB ? k : n, ldb);
        long spanC = span(m, n, ldc);
        ensure(Math.max(1, spanA), Math.max(1, spanB), spanC);
        if (spanA > 0) {
            bufA.position(0).put(a, aOff, (int) spanA);
            bufB.position(0).put(b, bOff, (int) spanB);
        }
        // C's gaps (ldc > n) travel in and out unchanged, so C must come in unless it is dense and beta is 0
        if (beta != 0f || ldc != n) {
            bufC.position(0).put(c, cOff, (int) spanC);
        }
        openblas_full.cblas_sgemm(openblas_full.CblasRowMajor,
                transA ? openblas_full.CblasTrans : openblas_full.CblasNoTrans,
                transB ? openblas_full.CblasTrans : openblas_full.CblasNoTrans,
                m, n, k, alpha, bufA.position(0), Math.max(1, lda), bufB.position(0), Math.max(1, ldb),
                beta, bufC.position(0), Math.max(1, ldc));
        bufC.position(0).get(c, cOff, (int) spanC);
    }

    private static long span(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    private void ensure(long a, long b, long c) {
        if (capA < a) {
            bufA.close();
            bufA = new FloatPointer(grow(a));
            capA = bufA.capacity();
        }
        if (capB < b) {
            bufB.close();
            bufB = new FloatPointer(grow(b));
            capB = bufB.capacity();
        }
        if (capC < c) {
            bufC.close();
            bufC = new FloatPointer(grow(c));
            capC = bufC.capacity();
        }
    }

    /** A quarter more than needed, so that a slowly growing shape does not reallocate every call. */
    private static long grow(long needed) {
        return needed + needed / 4;
    }

    /** Frees the off-heap buffers now rather than when the garbage collector finds them. */
    @Override
    public synchronized void close() {
        bufA.close();
        bufB.close();
        bufC.close();
        capA = capB = capC = 0;
    }
}
