package io.cnn4j.study;

import io.cnn4j.data.Dataset;

/** Training, validation and test images of one study, shared read-only by all its trials. */
public record StudyData(Dataset train, Dataset validation, Dataset test) {
    public int[] inputShape() {
        return train.x().itemShape();
    }

    public int classes() {
        return train.classes();
    }
}
