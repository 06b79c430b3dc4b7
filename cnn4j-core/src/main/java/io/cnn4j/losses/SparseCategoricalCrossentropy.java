package io.cnn4j.losses;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

/**
 * Keras {@code sparse_categorical_crossentropy}: targets are class indices, shape (N) or (N, 1),
 * stored as floats; −log(clip(p[label] / Σp)) averaged over the batch (rows rescaled to sum to 1
 * and clipped to [ε, 1 − ε] as in {@link CategoricalCrossentropy}).
 */
public final class SparseCategoricalCrossentropy implements Loss {
    @Override
    public String name() {
        return "sparse_categorical_crossentropy";
    }

    // yPred: (N, K), yTrue: (N) -> scalar
    @Override
    public double compute(Tensor yPred, Tensor yTrue) {
        int n = yPred.dim(0), k = yPred.dim(1);
        float[] p = yPred.data(), y = yTrue.data();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double sum = CategoricalCrossentropy.rowSum(p, i * k, k);
            total -= Math.log(CategoricalCrossentropy.clip(p[i * k + (int) y[i]] / sum));
        }
        return total / n;
    }

    @Override
    public void gradient(Tensor yPred, Tensor yTrue, Tensor grad) {
        int n = yPred.dim(0), k = yPred.dim(1);
        float[] p = yPred.data(), y = yTrue.data(), g = grad.data();
        // the label stands for its one-hot row, which is not built (an array per batch)
        for (int i = 0; i < n; i++) {
            CategoricalCrossentropy.rowGradient(p, i * k, k, n, (int) y[i], g);
        }
    }

    @Override
    public boolean gradientThroughSoftmax(Tensor yPred, Tensor yTrue, Tensor grad) {
        int n = yPred.dim(0), k = yPred.dim(1);
        float[] p = yPred.data(), y = yTrue.data(), g = grad.data();
        float inv = 1f / n;
        for (int i = 0; i < n * k; i++) {
            g[i] = p[i] * inv;
        }
        for (int i = 0; i < n; i++) {
            g[i * k + (int) y[i]] -= inv;
        }
        return true;
    }

    @Override
    public void checkTargets(Tensor yTrue, int[] predictionShape) {
        // dims read in place: trainOnBatch runs this every step
        int rank = yTrue.rank();
        if (!(rank == 1 || (rank == 2 && yTrue.dim(1) == 1))) {
            throw new IllegalArgumentException("sparse_categorical_crossentropy expects integer labels of shape (None,) or (None, 1) but got "
                    + Shapes.toString(yTrue.shape()) + (rank == 2 ? " (one-hot targets: use categorical_crossentropy)" : ""));
        }
        int k = predictionShape[1];
        float[] y = yTrue.data();
        for (int i = 0; i < y.length; i++) {
            if (y[i] != Math.rint(y[i]) || y[i] < 0 || y[i] >= k) {
                throw new IllegalArgumentException("label " + y[i] + " at index " + i + " is not a class index in [0, " + k + ")");
            }
        }
    }

    @Override
    public boolean correct(Tensor yPred, Tensor yTrue, int i) {
        int k = yPred.dim(1);
        return CategoricalCrossentropy.argmax(yPred.data(), i * k, k) == (int) yTrue.data()[i];
    }
}
