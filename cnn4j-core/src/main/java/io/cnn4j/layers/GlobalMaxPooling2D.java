package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

/**
 * Keras {@code GlobalMaxPooling2D} (channels_last): the maximum of each channel over height and
 * width, (N, H, W, C) → (N, C), or (N, 1, 1, C) with {@code keepdims}. The gradient goes to the
 * first maximal pixel in row-major order (as cnn4j's MaxPooling2D; ties are measure-zero for
 * real-valued activations).
 */
public final class GlobalMaxPooling2D extends AbstractLayer<GlobalMaxPooling2D> {
    /** @param keepdims keep the spatial axes as size 1 (Keras' {@code keepdims}) */
    public record Config(boolean keepdims) implements LayerConfig {
        @Override
        public String className() {
            return "GlobalMaxPooling2D";
        }

        @Override
        public Layer newLayer() {
            return new GlobalMaxPooling2D(this);
        }
    }

    private final boolean keepdims;
    private int pixels;
    private int channels;
    private Tensor output;
    private Tensor gradInput;
    /** Per (sample, channel): the flat input index of the maximum, for backward. */
    private int[] argmax;

    public GlobalMaxPooling2D() {
        this(new Config(false));
    }

    public GlobalMaxPooling2D(Config c) {
        this.keepdims = c.keepdims();
    }

    @Override
    public Config config() {
        return new Config(keepdims);
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 3) {
            throw new IllegalArgumentException("GlobalMaxPooling2D '" + name() + "' expects input of rank 4 (batch, height, width, channels), got "
                    + Shapes.withBatch(in));
        }
        pixels = in[0] * in[1];
        channels = in[2];
        return keepdims ? new int[]{1, 1, channels} : new int[]{channels};
    }

    // x: (N, H, W, C) -> y: (N, C) or (N, 1, 1, C)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.dim(0);
        output = keepdims ? reuse(output, n, 1, 1, channels) : reuse(output, n, channels);
        if (argmax == null || argmax.length != n * channels) {
            argmax = new int[n * channels];
        }
        float[] xs = x.data(), y = output.data();
        for (int s = 0; s < n; s++) {
            int out = s * channels;
            int base = s * pixels * channels;
            for (int c = 0; c < channels; c++) {
                y[out + c] = xs[base + c];
                argmax[out + c] = base + c;
            }
            for (int p = 1, in = base + channels; p < pixels; p++, in += channels) {
                for (int c = 0; c < channels; c++) {
                    if (xs[in + c] > y[out + c]) {
                        y[out + c] = xs[in + c];
                        argmax[out + c] = in + c;
                    }
                }
            }
        }
        return output;
    }

    // dy: (N, C) or (N, 1, 1, C) -> dx: (N, H, W, C), dy at each channel's maximum, 0 elsewhere
    @Override
    public Tensor backward(Tensor gradOut) {
        int n = gradOut.dim(0);
        checkGradient(gradOut, n);
        if (!computeInputGradient) {
            return null;
        }
        // inputDim, not inputShape(): that copies the shape, an allocation per batch
        gradInput = reuse(gradInput, n, inputDim(0), inputDim(1), inputDim(2));
        float[] dy = gradOut.data(), dx = gradInput.data();
        java.util.Arrays.fill(dx, 0f);
        for (int i = 0; i < n * channels; i++) {
            dx[argmax[i]] = dy[i];
        }
        return gradInput;
    }
}
