package io.cnn4j.model;

import io.cnn4j.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Changes a gathered training batch in place before the forward pass (data augmentation); Keras counterpart: augmentation layers such as {@code RandomFlip}, active only in training. fit
 * passes a generator derived from the model's seed and the epoch ({@code Seeds.random(seed,
 * "augment", epoch)}), drawn from batch after batch in order, so two models with the same seed see
 * the same augmented images and a run resumed at an epoch boundary reproduces them.
 */
@FunctionalInterface
public interface BatchAugmentation {
    // x: (N, H, W, C) -> x: (N, H, W, C), in place
    void augment(Tensor batch, SplittableRandom random);
}
