package io.cnn4j.layers;

/**
 * A layer that draws random masks; no Keras counterpart (Keras layers take a {@code seed} instead). The model reseeds it at the start of every epoch from the run's
 * seed (or the layer's own seed), so that a run resumed at an epoch boundary draws the same masks
 * as an uninterrupted one.
 */
public interface Stochastic {
    /** The seed the user gave this layer (Keras' {@code seed}), or null to derive one from the model's. */
    Long seed();

    void reseed(long seed);
}
