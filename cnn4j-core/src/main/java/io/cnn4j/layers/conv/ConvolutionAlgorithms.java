package io.cnn4j.layers.conv;

import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.KernelTuning;
import io.cnn4j.kernels.Parallel;
import io.cnn4j.model.MemoryBudget;

/**
 * Picks the {@link ConvolutionAlgorithm} a convolution layer computes with, once at build time;
 * no Keras counterpart (Keras' {@code Conv2D} leaves the algorithm to its backend). The one place
 * that knows every algorithm: a new one is a class of its own plus a line here.
 *
 * <p>The rule: with a backend that gives one-thread GEMMs ({@link Gemm#forOneThread()}: vector,
 * scalar), Winograd where the requested {@link ConvAlgorithm} takes it for this shape
 * ({@link ConvAlgorithm#useWinograd}), else, with the vector backend and where the request takes
 * it ({@link ConvAlgorithm#useDirect}), the im2col GEMM reading the image in place, else the
 * cache-blocked im2col; otherwise (OpenBLAS) the
 * batched im2col. Those two per-worker algorithms need at least one image per thread
 * ({@link ConvolutionAlgorithm#minImages()}); the layer uses the batched im2col for smaller batches.
 */
public final class ConvolutionAlgorithms {
    /** The name of the backend whose presence means the Vector API kernels can be loaded. */
    private static final String VECTOR = "vector";

    private ConvolutionAlgorithms() {
    }

    /**
     * The algorithm for this shape, backend, workers and request.
     *
     * @param shape     the convolution
     * @param gemm      the layer's GEMM backend
     * @param parallel  the layer's workers
     * @param requested auto, im2col, winograd or direct
     * @return a new instance, its build-time buffers allocated
     */
    public static ConvolutionAlgorithm choose(ConvolutionShape shape, Gemm gemm, Parallel parallel, ConvAlgorithm requested) {
        Gemm first = gemm.forOneThread();
        if (first == null) {
            return new Im2ColBatchedConvolution(shape, gemm, parallel);
        }
        if (requested.useWinograd(shape.gh(), shape.gw(), shape.channels())) {
            return new WinogradConvolution(shape, gemm, first, parallel);
        }
        // by name: only the vector backend's presence says the kernel's module is there
        if (VECTOR.equals(gemm.name()) && requested.useDirect(shape.kernelVolume())) {
            return new DirectConvolution(shape, gemm, first, parallel);
        }
        return new Im2ColBlockedConvolution(shape, gemm, first, parallel);
    }

    /**
     * An upper bound of what {@link #choose} allocates for this shape and thread count, whatever
     * the backend and request (the largest of the algorithms that may be chosen), without making any.
     *
     * @param shape   the convolution
     * @param threads the workers
     * @return floats, saturating at Long.MAX_VALUE
     */
    public static long workspaceFloatsBound(ConvolutionShape shape, int threads) {
        // the direct path's buffers plus the im2col ones it keeps for backward, at the widest vectors (16 floats)
        long bound = MemoryBudget.add(Im2ColBlockedConvolution.workspaceFloats(shape, threads), DirectConvolution.extraFloats(shape, threads, 16));
        if (WinogradConvolution.applies(shape)) {
            // at the largest chunk a tuning may give
            bound = Math.max(bound, WinogradConvolution.workspaceFloats(shape, threads, KernelTuning.MAX_CHUNK_CANDIDATE));
        }
        return bound;
    }

    /** One one-thread GEMM per worker: {@code first} (when not null) for worker 0, new ones for the others. */
    static Gemm[] oneThreadGemms(Gemm gemm, Gemm first, int threads, String algorithm) {
        Gemm[] g = new Gemm[threads];
        for (int i = 0; i < threads; i++) {
            g[i] = i == 0 && first != null ? first : gemm.forOneThread();
            if (g[i] == null) {
                throw new IllegalArgumentException("conv algorithm " + algorithm + " needs one-thread GEMMs, which backend '"
                        + gemm.name() + "' does not give");
            }
        }
        return g;
    }
}
