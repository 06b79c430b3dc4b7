package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * DropBlock (Ghiasi and others, 2018, arXiv 1810.12890; Keras counterpart: KerasCV's
 * {@code keras_cv.layers.DropBlock2D}, not in Keras itself): drops contiguous block × block squares of each
 * feature map instead of single units, because neighbouring activations are correlated and
 * single-unit dropout barely removes information from them. As in the authors' reference code:
 * block centres are drawn with probability
 * γ = rate / block² · H·W / ((H − block + 1)(W − block + 1)) where a whole block fits, each centre
 * is grown into a block (a max pool of the seed mask, stride 1), and the kept units are scaled by
 * (units / kept units) so the expected sum is unchanged. Masks are drawn per sample and channel;
 * {@code rate} is the intended fraction of dropped units. The block is clipped to the feature map
 * (a 1×1 map gets 1×1 blocks, i.e. plain dropout). Inference is the identity.
 */
public final class DropBlock2D extends StochasticLayer<DropBlock2D> {
    public record Config(double rate, int blockSize, Long seed) implements LayerConfig {
        public Config {
            StochasticLayer.checkRate("DropBlock2D", rate);
            if (blockSize < 1) {
                throw new IllegalArgumentException("DropBlock2D block size must be positive, got " + blockSize);
            }
        }

        @Override
        public String className() {
            return "DropBlock2D";
        }

        @Override
        public Layer newLayer() {
            return new DropBlock2D(this);
        }
    }

    private final int blockSize;
    private int block;
    private double gamma;
    private float[] mask = new float[0];
    private Tensor output;
    private Tensor gradInput;
    private boolean maskApplied;

    public DropBlock2D(double rate, int blockSize, Long seed) {
        this(new Config(rate, blockSize, seed));
    }

    public DropBlock2D(Config c) {
        super(c.rate(), c.seed());
        this.blockSize = c.blockSize();
    }

    /** The block size used on this layer's input (the configured one clipped to the feature map). */
    public int effectiveBlockSize() {
        requireBuilt();
        return block;
    }

    @Override
    public Config config() {
        return new Config(rate, blockSize, seed());
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 3) {
            throw new IllegalArgumentException("DropBlock2D '" + name() + "' needs rank-4 input (batch, height, width, channels), got "
                    + Shapes.withBatch(in));
        }
        block = Math.min(blockSize, Math.min(in[0], in[1]));
        int h = in[0], w = in[1];
        gamma = rate / (block * block) * ((double) h * w) / ((double) (h - block + 1) * (w - block + 1));
        initRandom(ctx);
        return in.clone();
    }

    // x: (N, H, W, C) -> y: (N, H, W, C); identity unless training
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        maskApplied = training && rate > 0;
        if (!maskApplied) {
            return x;
        }
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        if (mask.length != x.size()) {
            mask = new float[x.size()];
        }
        Arrays.fill(mask, 1f);
        // centres where the whole block fits: rows/cols [lo, lo + H − block]
        int lo = (block - 1) / 2;
        for (int b = 0; b < n; b++) {
            for (int i = lo; i <= lo + h - block; i++) {
                for (int j = lo; j <= lo + w - block; j++) {
                    for (int ch = 0; ch < c; ch++) {
                        if (random.nextDouble() < gamma) {
                            for (int u = i - lo; u < i - lo + block; u++) {
                                for (int v = j - lo; v < j - lo + block; v++) {
                                    mask[((b * h + u) * w + v) * c + ch] = 0f;
                                }
                            }
                        }
                    }
                }
            }
        }
        double kept = 0;
        for (float m : mask) {
            kept += m;
        }
        float scale = kept == 0 ? 0f : (float) (mask.length / kept);
        for (int i = 0; i < mask.length; i++) {
            mask[i] *= scale;
        }
        output = reuseLike(output, x);
        float[] in = x.data(), y = output.data();
        for (int i = 0; i < y.length; i++) {
            y[i] = in[i] * mask[i];
        }
        return output;
    }

    // dy: (N, H, W, C) -> dx: (N, H, W, C)
    @Override
    public Tensor backward(Tensor gradOut) {
        if (!maskApplied) {
            return gradOut;
        }
        checkGradient(gradOut, output.dim(0));
        gradInput = reuseLike(gradInput, gradOut);
        float[] dy = gradOut.data(), dx = gradInput.data();
        for (int i = 0; i < dx.length; i++) {
            dx[i] = dy[i] * mask[i];
        }
        return gradInput;
    }

    /** The last training mask (0 in dropped blocks, the scale elsewhere), NHWC. */
    public float[] lastMask() {
        return mask.clone();
    }
}
