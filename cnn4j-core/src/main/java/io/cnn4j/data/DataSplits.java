package io.cnn4j.data;

import java.util.List;

/**
 * A data set's training and test parts, as Keras' {@code load_data()} returns them, with the class
 * names and where the data came from (for messages and provenance).
 */
public record DataSplits(String name, Dataset train, Dataset test, List<String> classNames, String source) {
    public DataSplits {
        classNames = List.copyOf(classNames);
        if (train.classes() != test.classes() || train.classes() != classNames.size()) {
            throw new IllegalArgumentException(name + ": train has " + train.classes() + " classes, test " + test.classes()
                    + ", names " + classNames.size());
        }
    }

    public int classes() {
        return train.classes();
    }

    /** Image shape (height, width, channels). */
    public int[] inputShape() {
        return train.x().itemShape();
    }
}
