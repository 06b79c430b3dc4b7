package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * Keras {@code MaxPooling2D}. Backward routes each output gradient to the input cell that won the
 * max in the forward pass (the first one on ties, as TensorFlow does). With "same" padding the
 * padding cells never take part.
 */
public final class MaxPooling2D extends Pooling2D<MaxPooling2D> {
    private Tensor output;
    private Tensor gradInput;
    private int[] argmax = new int[0];
    private int[] lastInputShape;

    /** MaxPooling2D(pool_size=(2, 2)). */
    public MaxPooling2D() {
        this(2, 2);
    }

    public MaxPooling2D(int ph, int pw) {
        super(ph, pw);
    }

    public MaxPooling2D(Config c) {
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
        if (argmax.length < y.length) {
            argmax = new int[y.length];
        }
        int w = gw.in();
        int inItem = x.itemSize();
        int o = 0;
        for (int b = 0; b < n; b++) {
            int base = b * inItem;
            for (int oh = 0; oh < gh.out(); oh++) {
                int h0 = rowStart(oh), h1 = rowEnd(oh);
                for (int ow = 0; ow < gw.out(); ow++) {
                    int w0 = colStart(ow), w1 = colEnd(ow);
                    for (int c = 0; c < channels; c++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int bestAt = -1;
                        for (int h = h0; h < h1; h++) {
                            int row = base + h * w * channels + c;
                            for (int ww = w0; ww < w1; ww++) {
                                float v = in[row + ww * channels];
                                if (v > best || bestAt < 0) {
                                    best = v;
                                    bestAt = row + ww * channels;
                                }
                            }
                        }
                        y[o] = best;
                        argmax[o] = bestAt;
                        o++;
                    }
                }
            }
        }
        lastInputShape = x.shape();
        return output;
    }

    // dy: (N, OH, OW, C) -> dx: (N, H, W, C)
    @Override
    public Tensor backward(Tensor gradOut) {
        checkGradient(gradOut, lastInputShape[0]);
        gradInput = reuse(gradInput, lastInputShape);
        float[] dx = gradInput.data();
        Arrays.fill(dx, 0f);
        float[] dy = gradOut.data();
        for (int o = 0; o < dy.length; o++) {
            dx[argmax[o]] += dy[o];
        }
        return gradInput;
    }
}
