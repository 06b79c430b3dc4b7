package io.cnn4j.study;

import io.cnn4j.optim.Adam;
import io.cnn4j.optim.Optimizer;

/**
 * How every trial trains: Adam with this learning rate (Keras' other defaults), categorical
 * cross-entropy, {@code epochs} epochs of {@code batchSize}.
 */
public record TrainingSpec(int epochs, int batchSize, double learningRate) {
    public TrainingSpec {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be ≥ 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
    }

    public Optimizer optimizer() {
        return new Adam(learningRate);
    }
}
