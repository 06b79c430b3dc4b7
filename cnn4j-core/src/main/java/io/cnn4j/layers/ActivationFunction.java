package io.cnn4j.layers;

import java.util.Locale;

/**
 * Keras activations. {@code softmax} acts on the last axis (rows of length {@code width}); the
 * others are element-wise. Derivatives are written in terms of the activation's output y, which
 * is what layers keep from the forward pass.
 */
public enum ActivationFunction {
    LINEAR, RELU, SIGMOID, TANH, ELU, SOFTMAX;

    /** Keras name: relu, softmax, sigmoid, tanh, elu, linear; null means linear as in Keras. */
    public static ActivationFunction parse(String name) {
        if (name == null) {
            return LINEAR;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "linear", "none" -> LINEAR;
            case "relu" -> RELU;
            case "sigmoid" -> SIGMOID;
            case "tanh" -> TANH;
            case "elu" -> ELU;
            case "softmax" -> SOFTMAX;
            default -> throw new IllegalArgumentException("unknown activation '" + name
                    + "'; expected one of linear, relu, sigmoid, tanh, elu, softmax");
        };
    }

    public String keras() {
        return name().toLowerCase(Locale.ROOT);
    }

    // z: (rows, width) in place -> y: (rows, width)
    public void apply(float[] z, int off, int len, int width) {
        switch (this) {
            case LINEAR -> {
            }
            case RELU -> {
                for (int i = off; i < off + len; i++) {
                    if (z[i] < 0f) {
                        z[i] = 0f;
                    }
                }
            }
            case SIGMOID -> {
                for (int i = off; i < off + len; i++) {
                    z[i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
                }
            }
            case TANH -> {
                for (int i = off; i < off + len; i++) {
                    z[i] = (float) Math.tanh(z[i]);
                }
            }
            case ELU -> {
                for (int i = off; i < off + len; i++) {
                    if (z[i] < 0f) {
                        z[i] = (float) Math.expm1(z[i]);
                    }
                }
            }
            case SOFTMAX -> {
                for (int r = off; r < off + len; r += width) {
                    // subtract the row max so exp never overflows
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = r; j < r + width; j++) {
                        max = Math.max(max, z[j]);
                    }
                    double sum = 0;
                    for (int j = r; j < r + width; j++) {
                        float e = (float) Math.exp(z[j] - max);
                        z[j] = e;
                        sum += e;
                    }
                    float inv = (float) (1.0 / sum);
                    for (int j = r; j < r + width; j++) {
                        z[j] *= inv;
                    }
                }
            }
        }
    }

    // y: (rows, width), dy: (rows, width) -> dz written to dz (may alias dy)
    public void backward(float[] y, float[] dy, float[] dz, int off, int len, int width) {
        switch (this) {
            case LINEAR -> {
                if (dz != dy) {
                    System.arraycopy(dy, off, dz, off, len);
                }
            }
            case RELU -> {
                for (int i = off; i < off + len; i++) {
                    dz[i] = y[i] > 0f ? dy[i] : 0f;
                }
            }
            case SIGMOID -> {
                for (int i = off; i < off + len; i++) {
                    dz[i] = dy[i] * y[i] * (1f - y[i]);
                }
            }
            case TANH -> {
                for (int i = off; i < off + len; i++) {
                    dz[i] = dy[i] * (1f - y[i] * y[i]);
                }
            }
            case ELU -> {
                for (int i = off; i < off + len; i++) {
                    dz[i] = y[i] > 0f ? dy[i] : dy[i] * (y[i] + 1f);
                }
            }
            case SOFTMAX -> {
                for (int r = off; r < off + len; r += width) {
                    double dot = 0;
                    for (int j = r; j < r + width; j++) {
                        dot += dy[j] * y[j];
                    }
                    float d = (float) dot;
                    for (int j = r; j < r + width; j++) {
                        dz[j] = y[j] * (dy[j] - d);
                    }
                }
            }
        }
    }
}
