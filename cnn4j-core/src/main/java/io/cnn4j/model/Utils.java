package io.cnn4j.model;

import io.cnn4j.tensor.Tensor;

/** Keras' {@code to_categorical} and friends. */
public final class Utils {
    private Utils() {
    }

    /** One-hot rows (N, numClasses) from integer labels; fails on a label outside [0, numClasses). */
    public static Tensor toCategorical(int[] labels, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be ≥ 1, got " + numClasses);
        }
        Tensor out = Tensor.zeros(labels.length, numClasses);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is outside [0, " + numClasses + ")");
            }
            out.data()[i * numClasses + labels[i]] = 1f;
        }
        return out;
    }

    /** to_categorical(labels) with numClasses = max label + 1, as Keras does when it is not given. */
    public static Tensor toCategorical(int[] labels) {
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        return toCategorical(labels, max + 1);
    }

    /** Index of the largest value in each row of (N, K). */
    public static int[] argmax(Tensor rows) {
        int n = rows.dim(0), k = rows.itemSize();
        int[] out = new int[n];
        float[] d = rows.data();
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (d[i * k + j] > d[i * k + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
