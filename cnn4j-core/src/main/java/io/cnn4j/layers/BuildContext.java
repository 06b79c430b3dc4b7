package io.cnn4j.layers;

import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.Parallel;

import java.util.SplittableRandom;

/**
 * What a layer gets when it is built: its own weight-initialisation stream (derived by the model
 * from its seed and the layer's ordinal among weighted layers, so the same layer in two variants
 * gets the same weights), the GEMM backend, the thread count it may use, how convolutions compute,
 * and the model's worker threads; no Keras counterpart.
 *
 * @param initRandom the layer's initialisation stream
 * @param gemm       the GEMM backend (null for layers that multiply nothing)
 * @param threads    the threads the layer may use
 * @param conv       how convolutions compute
 * @param workers    the model's workers, shared by its layers, or null: each layer then makes its own
 */
public record BuildContext(SplittableRandom initRandom, Gemm gemm, int threads, ConvAlgorithm conv, Parallel workers) {
    public BuildContext {
        if (conv == null) {
            throw new IllegalArgumentException("BuildContext: conv algorithm must not be null");
        }
    }

    /** Without shared workers: each layer that needs threads makes its own. */
    public BuildContext(SplittableRandom initRandom, Gemm gemm, int threads, ConvAlgorithm conv) {
        this(initRandom, gemm, threads, conv, null);
    }

    /** With the convolution algorithm from {@code cnn4j.conv} / {@code CNN4J_CONV} (auto by default). */
    public BuildContext(SplittableRandom initRandom, Gemm gemm, int threads) {
        this(initRandom, gemm, threads, ConvAlgorithm.requested());
    }

    /**
     * The threads a layer's own loops may use: one beside a backend whose threads spin between
     * calls (extra Java threads would oversubscribe the cores), else {@link #threads()}.
     *
     * @param threads the thread count asked for
     * @param gemm    the backend, or null
     * @return at least 1
     */
    public static int loopThreads(int threads, Gemm gemm) {
        return gemm != null && gemm.busyWaits() ? 1 : Math.max(1, threads);
    }

    /**
     * The workers for a layer's loops: the model's shared ones when there are any, else new ones.
     * One set for the whole model keeps the hand-overs between consecutive layers on threads that
     * are still spinning from the layer before (with one set per layer, each layer's first loop
     * woke a parked thread, and the previous layer's worker still spun on the other core).
     *
     * @return workers for {@link #loopThreads} threads
     */
    public Parallel parallel() {
        return workers != null ? workers : new Parallel(loopThreads(threads, gemm));
    }
}
