package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * Keras {@code ZeroPadding2D} (channels_last): adds rows and columns of zeros around each image,
 * (N, H, W, C) → (N, top + H + bottom, left + W + right, C). Default padding (1, 1): one on every side.
 */
public final class ZeroPadding2D extends AbstractLayer<ZeroPadding2D> {
    /**
     * Keras' get_config key {@code padding}, ((top, bottom), (left, right)), flattened.
     *
     * @param padding {top, bottom, left, right}, each ≥ 0
     */
    public record Config(int[] padding) implements LayerConfig {
        public Config {
            if (padding == null || padding.length != 4 || Arrays.stream(padding).anyMatch(p -> p < 0)) {
                throw new IllegalArgumentException("ZeroPadding2D padding must be four integers ≥ 0 (top, bottom, left, right), got "
                        + Arrays.toString(padding));
            }
            padding = padding.clone();
        }

        @Override
        public int[] padding() {
            return padding.clone();
        }

        @Override
        public String className() {
            return "ZeroPadding2D";
        }

        @Override
        public Layer newLayer() {
            return new ZeroPadding2D(this);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && Arrays.equals(padding, c.padding);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(padding);
        }

        @Override
        public String toString() {
            return "Config[padding=" + Arrays.toString(padding) + "]";
        }
    }

    private final int top;
    private final int bottom;
    private final int left;
    private final int right;
    private int height;
    private int width;
    private int channels;
    private Tensor output;
    private Tensor gradInput;

    /** ZeroPadding2D() = ZeroPadding2D((1, 1)). */
    public ZeroPadding2D() {
        this(1, 1);
    }

    /** ZeroPadding2D((rows, cols)): {@code rows} above and below, {@code cols} left and right. */
    public ZeroPadding2D(int rows, int cols) {
        this(new Config(new int[]{rows, rows, cols, cols}));
    }

    public ZeroPadding2D(Config c) {
        int[] p = c.padding();
        this.top = p[0];
        this.bottom = p[1];
        this.left = p[2];
        this.right = p[3];
    }

    @Override
    public Config config() {
        return new Config(new int[]{top, bottom, left, right});
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 3) {
            throw new IllegalArgumentException("ZeroPadding2D '" + name() + "' expects input of rank 4 (batch, height, width, channels), got "
                    + Shapes.withBatch(in));
        }
        height = in[0];
        width = in[1];
        channels = in[2];
        return new int[]{top + height + bottom, left + width + right, channels};
    }

    // x: (N, H, W, C) -> y: (N, H + top + bottom, W + left + right, C)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.dim(0);
        int oh = top + height + bottom, ow = left + width + right;
        // a fresh buffer is zero; a reused one keeps its zero border, only the interior is rewritten
        output = reuse(output, n, oh, ow, channels);
        float[] xs = x.data(), y = output.data();
        int row = width * channels;
        for (int s = 0; s < n; s++) {
            for (int h = 0; h < height; h++) {
                System.arraycopy(xs, (s * height + h) * row, y, ((s * oh + top + h) * ow + left) * channels, row);
            }
        }
        return output;
    }

    // dy: (N, H', W', C) -> dx: (N, H, W, C), the interior of dy
    @Override
    public Tensor backward(Tensor gradOut) {
        int n = gradOut.dim(0);
        checkGradient(gradOut, n);
        if (!computeInputGradient) {
            return null;
        }
        int oh = top + height + bottom, ow = left + width + right;
        gradInput = reuse(gradInput, n, height, width, channels);
        float[] dy = gradOut.data(), dx = gradInput.data();
        int row = width * channels;
        for (int s = 0; s < n; s++) {
            for (int h = 0; h < height; h++) {
                System.arraycopy(dy, ((s * oh + top + h) * ow + left) * channels, dx, (s * height + h) * row, row);
            }
        }
        return gradInput;
    }
}
