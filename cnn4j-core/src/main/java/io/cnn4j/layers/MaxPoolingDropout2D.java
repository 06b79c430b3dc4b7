package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * Max-pooling dropout with probabilistic weighted pooling (Wu &amp; Gu 2015, arXiv 1512.00242):
 * element-wise dropout before a k×k max pool (stride k, "valid"), fused in one layer so that
 * inference can use the exact expectation of the training-time output; no Keras counterpart.
 *
 * <p>Training: each input is kept with probability q = 1 − rate and dropped (set to 0) otherwise,
 * without rescaling, then the window's maximum is taken. For a window of n = k² non-negative
 * inputs sorted a₁ ≤ … ≤ aₙ, the output is aᵢ with probability q·p^(n−i) and 0 when all drop.
 * Inference ("probabilistic weighted pooling"): y = Σᵢ q·p^(n−i)·aᵢ, the expectation of the
 * training output, which removes the train/inference mismatch that inverted dropout before a max
 * pool has (E[train] ≥ max at inference, 1.875× for equal inputs at p = 0.5, 2×2).
 */
public final class MaxPoolingDropout2D extends StochasticLayer<MaxPoolingDropout2D> {
    public record Config(double rate, int poolSize, Long seed) implements LayerConfig {
        public Config {
            StochasticLayer.checkRate("MaxPoolingDropout2D", rate);
            if (poolSize < 1) {
                throw new IllegalArgumentException("MaxPoolingDropout2D pool size must be positive, got " + poolSize);
            }
        }

        @Override
        public String className() {
            return "MaxPoolingDropout2D";
        }

        @Override
        public Layer newLayer() {
            return new MaxPoolingDropout2D(this);
        }
    }

    private final int k;
    private int oh;
    private int ow;
    private int channels;
    private Tensor output;
    private Tensor gradInput;
    /** Per output: flat input index of the kept maximum, or −1 when the winner was a dropped (zeroed) input. */
    private int[] winner = new int[0];
    private int[] lastInputShape;
    /** q·p^(n−i) for i = 1..n (ascending order of the window's values). */
    private double[] weights;
    /** Scratch for one window's values (inference), made once. */
    private float[] window;

    public MaxPoolingDropout2D(double rate, int poolSize, Long seed) {
        this(new Config(rate, poolSize, seed));
    }

    public MaxPoolingDropout2D(Config c) {
        super(c.rate(), c.seed());
        this.k = c.poolSize();
    }

    public int poolSize() {
        return k;
    }

    @Override
    public Config config() {
        return new Config(rate, k, seed());
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 3) {
            throw new IllegalArgumentException("MaxPoolingDropout2D '" + name() + "' expects input of rank 4 (batch, height, width, channels), got "
                    + Shapes.withBatch(in));
        }
        if (in[0] < k || in[1] < k) {
            throw new IllegalArgumentException("MaxPoolingDropout2D '" + name() + "': pool " + k + "×" + k + " does not fit input " + Shapes.withBatch(in));
        }
        oh = in[0] / k;
        ow = in[1] / k;
        channels = in[2];
        initRandom(ctx);
        int n = k * k;
        double q = 1 - rate;
        weights = new double[n];
        window = new float[n];
        for (int i = 1; i <= n; i++) {
            weights[i - 1] = q * Math.pow(rate, n - i);
        }
        return new int[]{oh, ow, channels};
    }

    // x: (N, H, W, C) -> y: (N, H/k, W/k, C); training: max of the dropped-out window, inference: Σ q·p^(n−i)·a_(i)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.dim(0);
        int h = x.dim(1), w = x.dim(2);
        output = reuse(output, n, oh, ow, channels);
        float[] in = x.data();
        float[] y = output.data();
        boolean drop = training && rate > 0;
        if (training && winner.length < y.length) {
            winner = new int[y.length];
        }
        float[] window = this.window;
        int o = 0;
        for (int b = 0; b < n; b++) {
            int base = b * h * w * channels;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    for (int c = 0; c < channels; c++) {
                        if (drop) {
                            float best = 0f;
                            int bestAt = -1;
                            boolean any = false;
                            for (int u = 0; u < k; u++) {
                                for (int v = 0; v < k; v++) {
                                    int at = base + ((i * k + u) * w + j * k + v) * channels + c;
                                    boolean keep = random.nextDouble() >= rate;
                                    float val = keep ? in[at] : 0f;
                                    if (!any || val > best) {
                                        best = val;
                                        bestAt = keep ? at : -1;
                                        any = true;
                                    }
                                }
                            }
                            y[o] = best;
                            winner[o] = bestAt;
                        } else if (training || rate == 0) {
                            // no dropout: plain max pooling
                            int at = argmax(in, base, i, j, c, w);
                            y[o] = in[at];
                            if (training) {
                                winner[o] = at;
                            }
                        } else {
                            // probabilistic weighted pooling: the expectation of the training output
                            int m = 0;
                            for (int u = 0; u < k; u++) {
                                for (int v = 0; v < k; v++) {
                                    window[m++] = in[base + ((i * k + u) * w + j * k + v) * channels + c];
                                }
                            }
                            Arrays.sort(window);
                            double s = 0;
                            for (int t = 0; t < window.length; t++) {
                                s += weights[t] * window[t];
                            }
                            y[o] = (float) s;
                        }
                        o++;
                    }
                }
            }
        }
        if (lastInputShape == null || !x.hasShape(lastInputShape)) {
            lastInputShape = x.shape(); // a copy only when the batch size changes
        }
        return output;
    }

    private int argmax(float[] in, int base, int i, int j, int c, int w) {
        int bestAt = -1;
        for (int u = 0; u < k; u++) {
            for (int v = 0; v < k; v++) {
                int at = base + ((i * k + u) * w + j * k + v) * channels + c;
                if (bestAt < 0 || in[at] > in[bestAt]) {
                    bestAt = at;
                }
            }
        }
        return bestAt;
    }

    // dy: (N, H/k, W/k, C) -> dx: (N, H, W, C); the gradient goes to the kept input that won the max (none if a dropped zero won)
    @Override
    public Tensor backward(Tensor gradOut) {
        checkGradient(gradOut, lastInputShape[0]);
        gradInput = reuse(gradInput, lastInputShape);
        float[] dx = gradInput.data();
        Arrays.fill(dx, 0f);
        float[] dy = gradOut.data();
        for (int o = 0; o < dy.length; o++) {
            if (winner[o] >= 0) {
                dx[winner[o]] += dy[o];
            }
        }
        return gradInput;
    }
}
