package io.cnn4j.data;

import io.cnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * Per-channel standardisation of NHWC images: x' = (x − mean[c]) / std[c]; Keras counterpart: {@code keras.layers.Normalization} with {@code adapt}. Fit the statistics on
 * the training set only and apply the same ones to validation and test data, or the test set leaks
 * into training. A channel with zero spread keeps std 1 (so it maps to 0 instead of NaN).
 */
public record Standardizer(float[] mean, float[] std) {
    public Standardizer {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std need one value per channel, got " + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s > 0) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("std values must be positive and finite, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Mean and (population) standard deviation of each channel over all images and pixels. */
    public static Standardizer fit(Tensor x) {
        int c = x.dim(x.rank() - 1);
        double[] sum = new double[c];
        double[] sumSq = new double[c];
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            int ch = i % c;
            sum[ch] += d[i];
            sumSq[ch] += (double) d[i] * d[i];
        }
        long n = d.length / c;
        if (n == 0) {
            throw new IllegalArgumentException("cannot fit a standardizer on an empty tensor " + x);
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int k = 0; k < c; k++) {
            double m = sum[k] / n;
            double var = Math.max(0, sumSq[k] / n - m * m);
            mean[k] = (float) m;
            std[k] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
        }
        return new Standardizer(mean, std);
    }

    // x: (N, H, W, C) -> x': (N, H, W, C), a new tensor
    public Tensor apply(Tensor x) {
        Tensor out = x.copy();
        applyInPlace(out);
        return out;
    }

    // x: (N, H, W, C) -> x, overwritten
    public void applyInPlace(Tensor x) {
        int c = x.dim(x.rank() - 1);
        if (c != mean.length) {
            throw new IllegalArgumentException("standardizer was fit on " + mean.length + " channels but the data " + x + " has " + c);
        }
        float[] d = x.data();
        float[] inv = new float[c];
        for (int k = 0; k < c; k++) {
            inv[k] = 1f / std[k];
        }
        for (int i = 0; i < d.length; i++) {
            int ch = i % c;
            d[i] = (d[i] - mean[ch]) * inv[ch];
        }
    }

    public Dataset apply(Dataset d) {
        return new Dataset(d.name(), apply(d.x()), d.labels(), d.classes());
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Standardizer s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Standardizer(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
