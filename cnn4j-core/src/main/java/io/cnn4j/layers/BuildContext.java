package io.cnn4j.layers;

import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.Gemm;

import java.util.SplittableRandom;

/**
 * What a layer gets when it is built: its own weight-initialisation stream (derived by the model
 * from its seed and the layer's ordinal among weighted layers, so the same layer in two variants
 * gets the same weights), the GEMM backend, the thread count it may use and how convolutions compute; no Keras counterpart.
 */
public record BuildContext(SplittableRandom initRandom, Gemm gemm, int threads, ConvAlgorithm conv) {
    public BuildContext {
        if (conv == null) {
            throw new IllegalArgumentException("BuildContext: conv algorithm must not be null");
        }
    }

    /** With the convolution algorithm from {@code cnn4j.conv} / {@code CNN4J_CONV} (auto by default). */
    public BuildContext(SplittableRandom initRandom, Gemm gemm, int threads) {
        this(initRandom, gemm, threads, ConvAlgorithm.requested());
    }
}
