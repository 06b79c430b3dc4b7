package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras {@code BatchNormalization} over the last axis (channels_last): y = γ·(x − μ)/√(σ² + ε) + β
 * per channel. In training μ and σ² are the batch's mean and variance over every other axis, and
 * the moving statistics move towards them: moving = moving·momentum + batch·(1 − momentum). In
 * inference the moving statistics are used, so the layer is the affine map y = a·x + b per channel.
 * Defaults as Keras: axis −1, momentum 0.99, epsilon 1e-3, center and scale on, γ = 1, β = 0,
 * moving mean 0, moving variance 1.
 *
 * <p>Which variance: Keras 3 ({@code keras/src/layers/normalization/batch_normalization.py},
 * {@code call}) takes {@code mean, variance = ops.moments(inputs, reduction_axes)}, the biased
 * (population) variance Σ(x − μ)²/M, and uses that same {@code variance} both to normalise the batch
 * and in {@code moving_variance * momentum + variance * (1 - momentum)}; so does this layer (no
 * Bessel correction anywhere). PyTorch differs: it updates its running variance with the unbiased
 * one, and its momentum 0.1 is the weight of the new value.
 *
 * <p>Weights in Keras' order: {@code gamma} (when scale), {@code beta} (when center) trainable;
 * {@code moving_mean}, {@code moving_variance} non-trainable ({@link #nonTrainableWeights()}), saved
 * with the model and never touched by the optimizer.
 *
 * <p>Cost: a training forward is two passes over x (shifted sums of x and x² in one, then y = a·x + b),
 * backward two (Σg and Σg·(x − μ), then dx); x̂ is never stored. When a ReLU layer follows, the model
 * fuses it into this layer ({@link #fuseRelu(Layer)}): the ReLU is applied in the same output pass
 * and its mask in the same gradient pass, and the ReLU layer passes tensors through.
 */
public final class BatchNormalization extends AbstractLayer<BatchNormalization> {
    /**
     * Keras' get_config keys axis, momentum, epsilon, center, scale.
     *
     * @param axis     the normalised (feature) axis counted with the batch axis; −1 or the last axis only
     * @param momentum weight of the old moving statistic, in [0, 1]
     * @param epsilon  added to the variance, &gt; 0
     * @param center   whether β is added
     * @param scale    whether γ multiplies
     */
    public record Config(int axis, double momentum, double epsilon, boolean center, boolean scale) implements LayerConfig {
        public Config {
            if (!(momentum >= 0 && momentum <= 1)) {
                throw new IllegalArgumentException("BatchNormalization momentum must be in [0, 1], got " + momentum);
            }
            if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("BatchNormalization epsilon must be positive and finite, got " + epsilon);
            }
        }

        /** Keras' defaults: axis −1, momentum 0.99, epsilon 0.001, center and scale. */
        public static Config defaults() {
            return new Config(-1, 0.99, 1e-3, true, true);
        }

        @Override
        public String className() {
            return "BatchNormalization";
        }

        @Override
        public Layer newLayer() {
            return new BatchNormalization(this);
        }
    }

    private int axis = -1;
    private double momentum = 0.99;
    private double epsilon = 1e-3;
    private boolean center = true;
    private boolean scale = true;

    private Parameter gamma;
    private Parameter beta;
    private Parameter movingMean;
    private Parameter movingVariance;
    private List<Parameter> trainable;
    private List<Parameter> nonTrainable;
    private int channels;
    private boolean fusedRelu;

    private Tensor lastInput;
    private boolean lastTraining;
    private Tensor output;
    private Tensor gradInput;
    // per-channel scratch, allocated at build: nothing per batch
    private double[] sum;
    private double[] sumSq;
    private float[] shift;
    private float[] mean;
    private float[] invStd;
    private float[] a;
    private float[] b;

    /** BatchNormalization() with Keras' defaults. */
    public BatchNormalization() {
    }

    public BatchNormalization(Config c) {
        this.axis = c.axis();
        this.momentum = c.momentum();
        this.epsilon = c.epsilon();
        this.center = c.center();
        this.scale = c.scale();
    }

    public BatchNormalization momentum(double m) {
        requireNotBuilt();
        this.momentum = m;
        config();
        return this;
    }

    public BatchNormalization epsilon(double e) {
        requireNotBuilt();
        this.epsilon = e;
        config();
        return this;
    }

    public BatchNormalization center(boolean c) {
        requireNotBuilt();
        this.center = c;
        return this;
    }

    public BatchNormalization scale(boolean s) {
        requireNotBuilt();
        this.scale = s;
        return this;
    }

    @Override
    public Config config() {
        return new Config(axis, momentum, epsilon, center, scale);
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (axis != -1 && axis != in.length) {
            throw new IllegalArgumentException("BatchNormalization '" + name() + "': only the last axis (-1, channels_last) is supported, got axis "
                    + axis + " for input " + Shapes.withBatch(in));
        }
        channels = in[in.length - 1];
        if (scale) {
            gamma = new Parameter(name() + "/gamma", channels);
            java.util.Arrays.fill(gamma.value(), 1f);
        }
        if (center) {
            beta = new Parameter(name() + "/beta", channels);
        }
        movingMean = new Parameter(name() + "/moving_mean", channels);
        movingVariance = new Parameter(name() + "/moving_variance", channels);
        java.util.Arrays.fill(movingVariance.value(), 1f);
        sum = new double[channels];
        sumSq = new double[channels];
        shift = new float[channels];
        mean = new float[channels];
        invStd = new float[channels];
        a = new float[channels];
        b = new float[channels];
        List<Parameter> p = new ArrayList<>(2);
        if (scale) {
            p.add(gamma);
        }
        if (center) {
            p.add(beta);
        }
        trainable = List.copyOf(p);
        nonTrainable = List.of(movingMean, movingVariance);
        return in.clone();
    }

    @Override
    public List<Parameter> parameters() {
        return trainable == null ? List.of() : trainable; // built: made once, nothing per call
    }

    @Override
    public List<Parameter> nonTrainableWeights() {
        return nonTrainable == null ? List.of() : nonTrainable;
    }

    /** The moving mean (a view of the weight; inference uses it). */
    public float[] movingMean() {
        requireBuilt();
        return movingMean.value();
    }

    /** The moving variance (a view of the weight; inference uses it). */
    public float[] movingVariance() {
        requireBuilt();
        return movingVariance.value();
    }

    /**
     * Inference as the affine map y = scale·x + offset per channel: fills {@code scaleOut} with
     * γ/√(moving variance + ε) and {@code offsetOut} with β − moving mean · scale (what folding
     * into the preceding layer multiplies in).
     */
    public void inferenceAffine(float[] scaleOut, float[] offsetOut) {
        requireBuilt();
        float[] mm = movingMean.value(), mv = movingVariance.value();
        for (int c = 0; c < channels; c++) {
            double s = (scale ? gamma.value()[c] : 1.0) / Math.sqrt(mv[c] + epsilon);
            scaleOut[c] = (float) s;
            offsetOut[c] = (float) ((center ? beta.value()[c] : 0.0) - mm[c] * s);
        }
    }

    /**
     * Fuses a following ReLU into this layer when {@code next} is a {@link ReLU} with Keras' defaults
     * or {@code Activation("relu")}: this layer then outputs max(0, y) and masks its gradient, and
     * {@code next} passes tensors through. Called by the model at build; returns whether it fused.
     */
    public boolean fuseRelu(Layer next) {
        boolean plain = next instanceof ReLU r && r.isPlain()
                || next instanceof Activation act && act.config().activation() == ActivationFunction.RELU;
        if (!plain) {
            return false;
        }
        fusedRelu = true;
        if (next instanceof ReLU r) {
            r.passThrough();
        } else {
            ((Activation) next).passThrough();
        }
        return true;
    }

    // x: (N, ..., C) -> y: (N, ..., C)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        output = reuseLike(output, x);
        float[] xs = x.data(), y = output.data();
        int c0 = channels;
        if (training) {
            batchMoments(xs);
            float m = (float) momentum, m1 = (float) (1 - momentum);
            float[] mm = movingMean.value(), mv = movingVariance.value();
            for (int c = 0; c < c0; c++) {
                // the biased variance, as Keras 3 uses for the moving variance too (see the class comment)
                mm[c] = mm[c] * m + mean[c] * m1;
                mv[c] = mv[c] * m + varianceOf(c) * m1;
                float g = scale ? gamma.value()[c] : 1f;
                a[c] = g * invStd[c];
                b[c] = (center ? beta.value()[c] : 0f) - mean[c] * a[c];
            }
        } else {
            inferenceAffine(a, b);
            float[] mm = movingMean.value(), mv = movingVariance.value();
            for (int c = 0; c < c0; c++) {
                mean[c] = mm[c];
                invStd[c] = (float) (1.0 / Math.sqrt(mv[c] + epsilon));
            }
        }
        // one pass: y = a·x + b, with the ReLU fused in when a ReLU layer follows
        int n = xs.length;
        if (fusedRelu) {
            for (int r = 0; r < n; r += c0) {
                for (int c = 0; c < c0; c++) {
                    float v = xs[r + c] * a[c] + b[c];
                    y[r + c] = v > 0f ? v : 0f;
                }
            }
        } else {
            for (int r = 0; r < n; r += c0) {
                for (int c = 0; c < c0; c++) {
                    y[r + c] = xs[r + c] * a[c] + b[c];
                }
            }
        }
        lastInput = x;
        lastTraining = training;
        return output;
    }

    /** The batch's per-channel mean and biased variance into mean / invStd (and sumSq), in one pass. */
    private void batchMoments(float[] xs) {
        int c0 = channels;
        int rows = xs.length / c0;
        // shifted sums (shift = the first row): exact mean and a variance free of the cancellation
        // E[x²] − E[x]² suffers when |mean| is much larger than the spread
        System.arraycopy(xs, 0, shift, 0, c0);
        java.util.Arrays.fill(sum, 0);
        java.util.Arrays.fill(sumSq, 0);
        for (int r = 0; r < xs.length; r += c0) {
            for (int c = 0; c < c0; c++) {
                double d = xs[r + c] - shift[c];
                sum[c] += d;
                sumSq[c] += d * d;
            }
        }
        for (int c = 0; c < c0; c++) {
            double ds = sum[c] / rows;
            double variance = Math.max(0, sumSq[c] / rows - ds * ds);
            mean[c] = (float) (shift[c] + ds);
            sumSq[c] = variance; // kept for varianceOf
            invStd[c] = (float) (1.0 / Math.sqrt(variance + epsilon));
        }
    }

    private float varianceOf(int c) {
        return (float) sumSq[c];
    }

    // dy: (N, ..., C) -> dx: (N, ..., C); accumulates gamma (C) and beta (C) gradients
    @Override
    public Tensor backward(Tensor gradOut) {
        checkGradient(gradOut, lastInput.dim(0));
        float[] g = gradOut.data(), xs = lastInput.data(), y = output.data();
        int c0 = channels;
        int n = g.length;
        int rows = n / c0;
        if (fusedRelu) {
            // gradOut is handed over (Layer contract): the ReLU mask is applied in place
            for (int i = 0; i < n; i++) {
                if (!(y[i] > 0f)) {
                    g[i] = 0f;
                }
            }
        }
        java.util.Arrays.fill(sum, 0);
        java.util.Arrays.fill(sumSq, 0);
        for (int r = 0; r < n; r += c0) {
            for (int c = 0; c < c0; c++) {
                float gi = g[r + c];
                sum[c] += gi;
                sumSq[c] += gi * (double) (xs[r + c] - mean[c]);
            }
        }
        for (int c = 0; c < c0; c++) {
            if (scale) {
                gamma.grad()[c] += (float) (sumSq[c] * invStd[c]);
            }
            if (center) {
                beta.grad()[c] += (float) sum[c];
            }
        }
        if (!computeInputGradient) {
            return null;
        }
        gradInput = reuseLike(gradInput, gradOut);
        float[] dx = gradInput.data();
        if (!lastTraining) {
            // inference: y = a·x + b with constants a, b
            for (int r = 0; r < n; r += c0) {
                for (int c = 0; c < c0; c++) {
                    dx[r + c] = g[r + c] * a[c];
                }
            }
            return gradInput;
        }
        // dx = γ/σ · (g − Σg/M − x̂ · Σ(g·x̂)/M), x̂ = (x − μ)/σ; in per-channel constants:
        // dx = a·g − a·Σg/M − (x − μ) · a·Σ(g·(x − μ))/(M·σ²)
        for (int c = 0; c < c0; c++) {
            double ac = a[c];
            double is = invStd[c];
            sum[c] = ac * sum[c] / rows;
            sumSq[c] = ac * sumSq[c] * is * is / rows;
        }
        for (int r = 0; r < n; r += c0) {
            for (int c = 0; c < c0; c++) {
                dx[r + c] = (float) (a[c] * g[r + c] - sum[c] - (xs[r + c] - mean[c]) * sumSq[c]);
            }
        }
        return gradInput;
    }
}
