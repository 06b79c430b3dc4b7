package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;

/**
 * Keras {@code ReLU} layer with its three options: for x &gt; threshold, y = min(x, max_value);
 * otherwise y = negative_slope · (x − threshold). Defaults (max_value None, negative_slope 0,
 * threshold 0) give max(0, x). As in Keras' formula, y is also clipped below at 0 on the
 * x &gt; threshold branch (which matters only for a negative threshold).
 */
public final class ReLU extends AbstractLayer<ReLU> {
    /**
     * Keras' get_config keys.
     *
     * @param maxValue      upper bound of the output, or null for none (Keras' {@code max_value})
     * @param negativeSlope slope below the threshold, ≥ 0 (Keras' {@code negative_slope})
     * @param threshold     inputs at or below it take the negative slope (Keras' {@code threshold})
     */
    public record Config(Double maxValue, double negativeSlope, double threshold) implements LayerConfig {
        public Config {
            if (maxValue != null && !(maxValue >= 0)) {
                throw new IllegalArgumentException("ReLU max_value must be ≥ 0 or null, got " + maxValue);
            }
            if (!(negativeSlope >= 0) || Double.isInfinite(negativeSlope)) {
                throw new IllegalArgumentException("ReLU negative_slope must be ≥ 0 and finite, got " + negativeSlope);
            }
            if (!Double.isFinite(threshold)) {
                throw new IllegalArgumentException("ReLU threshold must be finite, got " + threshold);
            }
        }

        @Override
        public String className() {
            return "ReLU";
        }

        @Override
        public Layer newLayer() {
            return new ReLU(this);
        }
    }

    private final Config config;
    private final float max;
    private final float slope;
    private final float threshold;
    private boolean passThrough;
    private Tensor lastInput;
    private Tensor output;
    private Tensor gradInput;

    /** ReLU() with Keras' defaults: max(0, x). */
    public ReLU() {
        this(new Config(null, 0, 0));
    }

    public ReLU(Config c) {
        this.config = c;
        this.max = c.maxValue() == null ? Float.POSITIVE_INFINITY : c.maxValue().floatValue();
        this.slope = (float) c.negativeSlope();
        this.threshold = (float) c.threshold();
    }

    @Override
    public Config config() {
        return config;
    }

    /** True for the defaults, max(0, x): what BatchNormalization can fuse. */
    boolean isPlain() {
        return config.maxValue() == null && config.negativeSlope() == 0 && config.threshold() == 0;
    }

    /** The preceding layer already applies max(0, x) (fused): pass tensors through unchanged. */
    void passThrough() {
        this.passThrough = true;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        return in.clone();
    }

    // x: (N, ...) -> y: (N, ...)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        if (passThrough) {
            return x;
        }
        output = reuseLike(output, x);
        float[] xs = x.data(), y = output.data();
        for (int i = 0; i < xs.length; i++) {
            float v = xs[i];
            // slope 0 gives +0, not −0 (0 · negative)
            y[i] = v > threshold ? Math.max(0f, Math.min(v, max)) : slope == 0f ? 0f : slope * (v - threshold);
        }
        lastInput = x;
        return output;
    }

    // dy: (N, ...) -> dx: (N, ...)
    @Override
    public Tensor backward(Tensor gradOut) {
        if (passThrough) {
            return gradOut;
        }
        checkGradient(gradOut, lastInput.dim(0));
        gradInput = reuseLike(gradInput, gradOut);
        float[] xs = lastInput.data(), dy = gradOut.data(), dx = gradInput.data();
        for (int i = 0; i < xs.length; i++) {
            float v = xs[i];
            dx[i] = v > threshold ? (v < max && v > 0f ? dy[i] : 0f) : slope == 0f ? 0f : slope * dy[i];
        }
        return gradInput;
    }
}
