package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * Keras {@code AveragePooling2D}. With "same" padding a window that hangs over the border averages
 * only the real cells (divides by their count, not by pool_h·pool_w), as Keras/TensorFlow do.
 */
public final class AveragePooling2D extends Pooling2D<AveragePooling2D> {
    private Tensor output;
    private Tensor gradInput;
    private int lastBatch;

    /** AveragePooling2D(pool_size=(2, 2)). */
    public AveragePooling2D() {
        this(2, 2);
    }

    public AveragePooling2D(int ph, int pw) {
        super(ph, pw);
    }

    public AveragePooling2D(Config c) {
        super(c);
    }

    // x: (N, H, W, C) -> y: (N, OH, OW, C)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.dim(0);
        output = outputBuffer(output, n);
        float[] in = x.data();
        float[] y = output.data();
        int w = gw.in();
        int inItem = x.itemSize();
        int o = 0;
        for (int b = 0; b < n; b++) {
            int base = b * inItem;
            for (int oh = 0; oh < gh.out(); oh++) {
                int h0 = rowStart(oh), h1 = rowEnd(oh);
                for (int ow = 0; ow < gw.out(); ow++) {
                    int w0 = colStart(ow), w1 = colEnd(ow);
                    float inv = 1f / ((h1 - h0) * (w1 - w0));
                    for (int c = 0; c < channels; c++) {
                        float s = 0f;
                        for (int h = h0; h < h1; h++) {
                            int row = base + h * w * channels + c;
                            for (int ww = w0; ww < w1; ww++) {
                                s += in[row + ww * channels];
                            }
                        }
                        y[o++] = s * inv;
                    }
                }
            }
        }
        lastBatch = n;
        return output;
    }

    // dy: (N, OH, OW, C) -> dx: (N, H, W, C)
    @Override
    public Tensor backward(Tensor gradOut) {
        int n = lastBatch;
        checkGradient(gradOut, n);
        gradInput = reuse(gradInput, n, gh.in(), gw.in(), channels);
        float[] dx = gradInput.data();
        Arrays.fill(dx, 0f);
        float[] dy = gradOut.data();
        int w = gw.in();
        int inItem = gradInput.itemSize();
        int o = 0;
        for (int b = 0; b < n; b++) {
            int base = b * inItem;
            for (int oh = 0; oh < gh.out(); oh++) {
                int h0 = rowStart(oh), h1 = rowEnd(oh);
                for (int ow = 0; ow < gw.out(); ow++) {
                    int w0 = colStart(ow), w1 = colEnd(ow);
                    float inv = 1f / ((h1 - h0) * (w1 - w0));
                    for (int c = 0; c < channels; c++) {
                        float g = dy[o++] * inv;
                        for (int h = h0; h < h1; h++) {
                            int row = base + h * w * channels + c;
                            for (int ww = w0; ww < w1; ww++) {
                                dx[row + ww * channels] += g;
                            }
                        }
                    }
                }
            }
        }
        return gradInput;
    }
}
