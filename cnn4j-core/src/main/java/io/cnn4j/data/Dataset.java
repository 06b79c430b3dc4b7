package io.cnn4j.data;

import io.cnn4j.model.Utils;
import io.cnn4j.tensor.Tensor;

/**
 * Images and integer labels: x is (N, H, W, C) float32, labels in [0, classes); Keras counterpart: the {@code (x, y)} NumPy pair a {@code load_data()} returns.
 *
 * @param name where it came from, for messages and provenance
 */
public record Dataset(String name, Tensor x, int[] labels, int classes) {
    public Dataset {
        if (x.dim(0) != labels.length) {
            throw new IllegalArgumentException(name + ": " + x.dim(0) + " images but " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of item " + i + " is outside [0, " + classes + ")");
            }
        }
    }

    public int size() {
        return labels.length;
    }

    /** One-hot targets (N, classes) for categorical cross-entropy. */
    public Tensor oneHot() {
        return Utils.toCategorical(labels, classes);
    }

    /** Items [from, from + count). */
    public Dataset slice(int from, int count) {
        int[] l = new int[count];
        System.arraycopy(labels, from, l, 0, count);
        return new Dataset(name, x.slice(from, count), l, classes);
    }
}
