package io.cnn4j.layers;

/** A layer's hyperparameters as a record; {@link #className()} is the Keras class name. */
public interface LayerConfig {
    String className();
}
