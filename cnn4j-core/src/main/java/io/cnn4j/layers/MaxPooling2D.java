package io.cnn4j.layers;

import io.cnn4j.kernels.MaxUpdate;
import io.cnn4j.kernels.Padding;
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
    private int lastBatch;
    private Parallel parallel;
    // The loop bodies are made once and read their arrays from fields set just before each loop,
    // so a batch allocates no capturing lambda.
    private final Parallel.Range forwardBody = this::forwardImages;
    private final Parallel.Range backwardBody = this::backwardImages;
    private final Parallel.Range valuesBody = this::maxImages;
    /** The running-maximum step of the inference forward (vector compare and blend where available). */
    private final MaxUpdate maxUpdate = MaxUpdate.best();
    /** Whether the last forward recorded the winning cells (training) that backward routes through. */
    private boolean winnersFromTraining;
    private float[] in;
    private float[] dy;

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
        // the model's workers (one thread beside a backend whose threads spin between calls)
        parallel = ctx.parallel();
        return out;
    }

    /**
     * Whether this pool is the one a Winograd F(2×2, 3×3) convolution before it can take over in
     * inference: 2×2 windows, stride 2, valid padding, so each window is one output tile.
     *
     * @return true for pool (2, 2), strides (2, 2), padding valid
     */
    public boolean isTwoByTwoValid() {
        requireBuilt();
        return poolSize[0] == 2 && poolSize[1] == 2 && gh.stride() == 2 && gw.stride() == 2 && padding == Padding.VALID;
    }

    /** This pool's rule for a larger value (vector or scalar), for a convolution that pools into its output. */
    MaxUpdate maxUpdate() {
        return maxUpdate;
    }

    /**
     * The output an inference forward of n images writes (this layer's reused buffer), for a
     * convolution that pools into it directly; from here on the layer is as after that forward
     * (an inference one: no winning cells for backward).
     *
     * @param n images
     * @return (n, OH, OW, C), to be overwritten by the caller
     */
    public Tensor inferenceOutput(int n) {
        requireBuilt();
        output = outputBuffer(output, n);
        winnersFromTraining = false;
        lastBatch = n;
        return output;
    }

    // x: (N, H, W, C) -> y: (N, OH, OW, C)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.dim(0);
        output = outputBuffer(output, n);
        in = x.data();
        // images in parallel, each to whichever worker is free (disjoint outputs); inference needs the maxima only, not their cells
        try {
            if (training) {
                if (argmax.length < output.size()) {
                    argmax = new int[output.size()];
                }
                parallel.forRangeDynamic(n, 1, forwardBody);
            } else {
                parallel.forRangeDynamic(n, 1, valuesBody);
            }
        } finally {
            in = null; // the input is the caller's: not kept past the call
        }
        winnersFromTraining = training;
        lastBatch = n;
        return output;
    }

    /**
     * Inference forward over images [from, to): the same maximum as {@link #forwardImages} (the
     * first cell as is, even NaN, a later one only when larger, so the same bits) without
     * recording which cell won: no index array written and read back per output.
     */
    private void maxImages(int from, int to) {
        float[] in = this.in, y = output.data();
        int w = gw.in();
        int inItem = gh.in() * w * channels;
        int outItem = gh.out() * gw.out() * channels;
        for (int b = from; b < to; b++) {
            int base = b * inItem;
            int o = b * outItem;
            for (int oh = 0; oh < gh.out(); oh++) {
                int h0 = rowStart(oh), h1 = rowEnd(oh);
                for (int ow = 0; ow < gw.out(); ow++, o += channels) {
                    int w0 = colStart(ow), w1 = colEnd(ow);
                    System.arraycopy(in, base + (h0 * w + w0) * channels, y, o, channels);
                    for (int h = h0; h < h1; h++) {
                        for (int ww = (h == h0 ? w0 + 1 : w0); ww < w1; ww++) {
                            maxUpdate.update(in, base + (h * w + ww) * channels, y, o, channels);
                        }
                    }
                }
            }
        }
    }

    /** Forward over images [from, to) of {@link #in} into {@link #output}. */
    private void forwardImages(int from, int to) {
        float[] in = this.in, y = output.data();
        int[] best = argmax;
        int w = gw.in();
        int inItem = gh.in() * w * channels;
        int outItem = gh.out() * gw.out() * channels;
        // within a window the cells are visited in the same order as before, channels innermost so
        // that the loop runs over contiguous memory
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
    }

    // dy: (N, OH, OW, C) -> dx: (N, H, W, C)
    @Override
    public Tensor backward(Tensor gradOut) {
        checkGradient(gradOut, lastBatch);
        if (!winnersFromTraining) {
            throw new IllegalStateException("MaxPooling2D '" + name() + "': backward needs the winning cells of a training forward "
                    + "(forward(x, true)); the last forward was an inference one, which does not record them");
        }
        gradInput = reuse(gradInput, lastBatch, gh.in(), gw.in(), channels);
        dy = gradOut.data();
        // images in parallel, each to whichever worker is free: an image's winners lie inside that image, so the writes are disjoint
        try {
            parallel.forRangeDynamic(lastBatch, 1, backwardBody);
        } finally {
            dy = null;
        }
        return gradInput;
    }

    /** Backward over images [from, to): each output gradient goes to its window's winner. */
    private void backwardImages(int from, int to) {
        float[] dx = gradInput.data(), dy = this.dy;
        int[] winner = argmax;
        int inItem = gh.in() * gw.in() * channels, outItem = gh.out() * gw.out() * channels;
        Arrays.fill(dx, from * inItem, to * inItem, 0f);
        for (int o = from * outItem; o < to * outItem; o++) {
            dx[winner[o]] += dy[o];
        }
    }
}
