package io.cnn4j.optim;

/** An optimizer's hyperparameters as a record; Keras counterpart: {@code Optimizer.get_config()}. */
public sealed interface OptimizerConfig permits SGD.Config, Adam.Config {
    Optimizer create();

    /** The base learning rate (before any legacy decay). */
    double learningRate();
}
