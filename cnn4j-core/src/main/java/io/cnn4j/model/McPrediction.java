package io.cnn4j.model;

import io.cnn4j.tensor.Tensor;

/** Monte Carlo dropout prediction: mean and standard deviation over {@code samples} stochastic forward passes. */
public record McPrediction(Tensor mean, Tensor std, int samples) {
}
