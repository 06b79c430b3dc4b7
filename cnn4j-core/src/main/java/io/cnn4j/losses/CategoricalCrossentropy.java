package io.cnn4j.losses;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

/**
 * Keras {@code categorical_crossentropy} on probabilities: each row is first rescaled to sum to 1
 * (q = p / Σp, as Keras' backends do), then −Σ y·log(clip(q, ε, 1 − ε)), averaged over the batch,
 * ε = 1e-7 (Keras' backend epsilon). Targets are one-hot (or soft) rows. For a softmax output the
 * rescaling changes nothing; for other outputs it is what Keras computes.
 */
public final class CategoricalCrossentropy implements Loss {
    public static final double EPSILON = 1e-7;

    @Override
    public String name() {
        return "categorical_crossentropy";
    }

    // yPred: (N, K), yTrue: (N, K) -> scalar
    @Override
    public double compute(Tensor yPred, Tensor yTrue) {
        int n = yPred.dim(0), k = yPred.dim(1);
        float[] p = yPred.data(), y = yTrue.data();
        double total = 0;
        for (int r = 0; r < n * k; r += k) {
            double sum = rowSum(p, r, k);
            for (int i = r; i < r + k; i++) {
                if (y[i] != 0f) {
                    total -= y[i] * Math.log(clip(p[i] / sum));
                }
            }
        }
        return total / n;
    }

    static double rowSum(float[] p, int off, int k) {
        double s = 0;
        for (int j = off; j < off + k; j++) {
            s += p[j];
        }
        return s;
    }

    /** Keras' clip to [ε, 1 − ε]; NaN stays NaN (so a NaN prediction gives a NaN loss, which fit reports). */
    static double clip(double q) {
        return Math.min(Math.max(q, EPSILON), 1 - EPSILON);
    }

    static boolean clipped(double q) {
        return q < EPSILON || q > 1 - EPSILON;
    }

    // yPred: (N, K), yTrue: (N, K) -> grad: (N, K)
    @Override
    public void gradient(Tensor yPred, Tensor yTrue, Tensor grad) {
        int n = yPred.dim(0), k = yPred.dim(1);
        float[] p = yPred.data(), y = yTrue.data(), g = grad.data();
        for (int r = 0; r < n * k; r += k) {
            rowGradient(p, y, r, k, n, g);
        }
    }

    /**
     * Chain rule through q = p / S (S = Σp) and the clip, whose gradient is 0 outside [ε, 1 − ε]:
     * dL/dq_j = −y_j / (N q_j) where q_j is not clipped, and dL/dp_i = (dL/dq_i − Σ_j dL/dq_j · q_j) / S.
     * {@code y} holds the row's targets at [r, r + k).
     */
    static void rowGradient(float[] p, float[] y, int r, int k, int n, float[] g) {
        double sum = rowSum(p, r, k);
        double dot = 0;
        for (int j = r; j < r + k; j++) {
            double q = p[j] / sum;
            double dq = clipped(q) || y[j] == 0f ? 0 : -y[j] / (q * n);
            dot += dq * q;
            g[j] = (float) dq; // temporarily dL/dq
        }
        for (int j = r; j < r + k; j++) {
            g[j] = (float) ((g[j] - dot) / sum);
        }
    }

    /** {@link #rowGradient(float[], float[], int, int, int, float[])} for the one-hot row of class {@code label}, the same values. */
    static void rowGradient(float[] p, int r, int k, int n, int label, float[] g) {
        double sum = rowSum(p, r, k);
        double dot = 0;
        for (int j = r; j < r + k; j++) {
            double q = p[j] / sum;
            double dq = clipped(q) || j - r != label ? 0 : -1.0 / (q * n);
            dot += dq * q;
            g[j] = (float) dq;
        }
        for (int j = r; j < r + k; j++) {
            g[j] = (float) ((g[j] - dot) / sum);
        }
    }

    @Override
    public boolean gradientThroughSoftmax(Tensor yPred, Tensor yTrue, Tensor grad) {
        int n = yPred.dim(0), k = yPred.dim(1);
        float[] p = yPred.data(), y = yTrue.data(), g = grad.data();
        float inv = 1f / n;
        for (int r = 0; r < n * k; r += k) {
            float sumY = 0f;
            for (int j = r; j < r + k; j++) {
                sumY += y[j];
            }
            // d/dz of −Σ y log softmax(z) is p·Σy − y (= p − y for one-hot rows)
            for (int j = r; j < r + k; j++) {
                g[j] = (p[j] * sumY - y[j]) * inv;
            }
        }
        return true;
    }

    @Override
    public void checkTargets(Tensor yTrue, int[] predictionShape) {
        // dims read in place: trainOnBatch runs this every step
        if (yTrue.rank() != 2 || yTrue.dim(1) != predictionShape[1]) {
            throw new IllegalArgumentException("categorical_crossentropy expects one-hot targets of shape "
                    + Shapes.withBatch(predictionShape[1]) + " but got " + Shapes.toString(yTrue.shape())
                    + (yTrue.rank() == 1 ? " (integer labels: use toCategorical or sparse_categorical_crossentropy)" : ""));
        }
    }

    @Override
    public boolean correct(Tensor yPred, Tensor yTrue, int i) {
        int k = yPred.dim(1);
        return argmax(yPred.data(), i * k, k) == argmax(yTrue.data(), i * k, k);
    }

    static int argmax(float[] v, int off, int len) {
        int best = 0;
        for (int j = 1; j < len; j++) {
            if (v[off + j] > v[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
