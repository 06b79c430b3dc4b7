package io.cnn4j.model;

import io.cnn4j.tensor.Tensor;

/** Monte Carlo dropout prediction: mean and standard deviation over {@code samples} stochastic forward passes; no Keras counterpart (in Keras: calling {@code model(x, training=True)} repeatedly). */
public record McPrediction(Tensor mean, Tensor std, int samples) {
}
