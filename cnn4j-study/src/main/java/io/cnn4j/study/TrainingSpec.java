package io.cnn4j.study;

import io.cnn4j.optim.Adam;
import io.cnn4j.optim.Optimizer;

/**
 * How every trial trains: Adam with this learning rate (Keras' other defaults), categorical
 * cross-entropy, {@code epochs} epochs of {@code batchSize}.
 */
public record TrainingSpec(int epochs, int batchSize, double learningRate) {
    public TrainingSpec {
        io.cnn4j.model.InvalidSettingException.positive("--epochs", epochs);
        io.cnn4j.model.InvalidSettingException.positive("--batch-size", batchSize);
        io.cnn4j.model.InvalidSettingException.positiveFinite("--lr", learningRate);
    }

    public Optimizer optimizer() {
        return new Adam(learningRate);
    }
}
