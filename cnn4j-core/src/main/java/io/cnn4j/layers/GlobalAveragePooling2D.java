package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

/**
 * Keras {@code GlobalAveragePooling2D} (channels_last): the mean of each channel over height and
 * width, (N, H, W, C) → (N, C), or (N, 1, 1, C) with {@code keepdims} (Keras' default false).
 */
public final class GlobalAveragePooling2D extends AbstractLayer<GlobalAveragePooling2D> {
    /** @param keepdims keep the spatial axes as size 1 (Keras' {@code keepdims}) */
    public record Config(boolean keepdims) implements LayerConfig {
        @Override
        public String className() {
            return "GlobalAveragePooling2D";
        }

        @Override
        public Layer newLayer() {
            return new GlobalAveragePooling2D(this);
        }
    }

    private final boolean keepdims;
    private int pixels;
    private int channels;
    private Tensor output;
    private Tensor gradInput;

    public GlobalAveragePooling2D() {
        this(new Config(false));
    }

    public GlobalAveragePooling2D(Config c) {
        this.keepdims = c.keepdims();
    }

    @Override
    public Config config() {
        return new Config(keepdims);
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 3) {
            throw new IllegalArgumentException("GlobalAveragePooling2D '" + name() + "' expects input of rank 4 (batch, height, width, channels), got "
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
        float[] xs = x.data(), y = output.data();
        float inv = 1f / pixels;
        for (int s = 0; s < n; s++) {
            int out = s * channels;
            java.util.Arrays.fill(y, out, out + channels, 0f);
            for (int p = 0, in = s * pixels * channels; p < pixels; p++, in += channels) {
                for (int c = 0; c < channels; c++) {
                    y[out + c] += xs[in + c];
                }
            }
            for (int c = 0; c < channels; c++) {
                y[out + c] *= inv;
            }
        }
        return output;
    }

    // dy: (N, C) or (N, 1, 1, C) -> dx: (N, H, W, C), each pixel gets dy / (H·W)
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
        float inv = 1f / pixels;
        for (int s = 0; s < n; s++) {
            int g = s * channels;
            for (int p = 0, at = s * pixels * channels; p < pixels; p++, at += channels) {
                for (int c = 0; c < channels; c++) {
                    dx[at + c] = dy[g + c] * inv;
                }
            }
        }
        return gradInput;
    }
}
