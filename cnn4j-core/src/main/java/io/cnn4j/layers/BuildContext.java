package io.cnn4j.layers;

import io.cnn4j.kernels.Gemm;

import java.util.SplittableRandom;

/**
 * What a layer gets when it is built: its own weight-initialisation stream (derived by the model
 * from its seed and the layer's ordinal among weighted layers, so the same layer in two variants
 * gets the same weights), the GEMM backend, and the thread count it may use.
 */
public record BuildContext(SplittableRandom initRandom, Gemm gemm, int threads) {
}
