package io.cnn4j.layers;

import io.cnn4j.kernels.Parallel;
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
    private Parallel parallel;

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

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        int[] out = super.doBuild(in, ctx);
        // beside a backend whose threads spin between calls, extra Java threads would oversubscribe the cores
        parallel = new Parallel(ctx.gemm() != null && ctx.gemm().busyWaits() ? 1 : Math.max(1, ctx.threads()));
        return out;
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
        int outItem = output.itemSize();
        int[] best = argmax;
        // images in parallel (disjoint outputs); within a window the cells are visited in the same
        // order as before, channels innermost so that the loop runs over contiguous memory
        parallel.forRange(n, (from, to) -> {
            for (int b = from; b < to; b++) {
                int base = b * inItem;
                int o = b * outItem;
                for (int oh = 0; oh < gh.out(); oh++) {
                    int h0 = rowStart(oh), h1 = rowEnd(oh);
                    for (int ow = 0; ow < gw.out(); ow++, o += channels) {
                        int w0 = colStart(ow), w1 = colEnd(ow);
                        // the first cell of the window is taken as is (even NaN), later ones only when larger;
                        // only the winner's index is selected (an int select the JIT makes branch-free: the
                        // comparisons are unpredictable), the value is read back from it at the end
                        int first = base + (h0 * w + w0) * channels;
                        for (int c = 0; c < channels; c++) {
                            best[o + c] = first + c;
                        }
                        for (int h = h0; h < h1; h++) {
                            for (int ww = (h == h0 ? w0 + 1 : w0); ww < w1; ww++) {
                                int cell = base + (h * w + ww) * channels;
                                for (int c = 0; c < channels; c++) {
                                    int at = best[o + c];
                                    best[o + c] = in[cell + c] > in[at] ? cell + c : at;
                                }
                            }
                        }
                        for (int c = 0; c < channels; c++) {
                            y[o + c] = in[best[o + c]];
                        }
                    }
                }
            }
        });
        lastInputShape = x.shape();
        return output;
    }

    // dy: (N, OH, OW, C) -> dx: (N, H, W, C)
    @Override
    public Tensor backward(Tensor gradOut) {
        checkGradient(gradOut, lastInputShape[0]);
        gradInput = reuse(gradInput, lastInputShape);
        float[] dx = gradInput.data();
        float[] dy = gradOut.data();
        int inItem = dx.length / lastInputShape[0], outItem = dy.length / lastInputShape[0];
        int[] from = argmax;
        // images in parallel: an image's winners lie inside that image, so the writes are disjoint
        parallel.forRange(lastInputShape[0], (b0, b1) -> {
            Arrays.fill(dx, b0 * inItem, b1 * inItem, 0f);
            for (int o = b0 * outItem; o < b1 * outItem; o++) {
                dx[from[o]] += dy[o];
            }
        });
        return gradInput;
    }
}
