package io.cnn4j.layers;

/** A layer's hyperparameters as a record; {@link #className()} is the Keras class name. */
public interface LayerConfig {
    String className();

    /** A fresh, unbuilt layer with these hyperparameters (each call a new instance). */
    Layer newLayer();

    /**
     * {@code value}, or a clear error naming the layer and the field when it is null (a config read
     * from JSON with a missing field must fail here, not with a NullPointerException at build time).
     */
    static <T> T required(String layer, String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(layer + " " + field + " must be given, got null");
        }
        return value;
    }
}
