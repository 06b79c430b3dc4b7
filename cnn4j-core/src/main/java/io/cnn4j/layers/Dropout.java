package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Keras {@code Dropout(rate, noise_shape, seed)}: during training each unit of the mask is 0 with
 * probability {@code rate} and 1/(1 − rate) otherwise ("inverted" dropout, so inference is the
 * identity and the expected output equals the input). {@code rate} is the probability to DROP,
 * as in Keras (Deeplearning4j's is the keep probability — a frequent source of confusion).
 *
 * <p>{@code noiseShape} is the mask's shape including the batch axis; an entry of
 * {@link #NONE} (Keras' None) takes the input's size, an entry 1 broadcasts the mask along that
 * axis. (N, 1, 1, C) on an NHWC input drops whole feature maps: that is {@link SpatialDropout2D}.
 */
public class Dropout extends StochasticLayer<Dropout> {
    /** Stands for Keras' None in a noise shape. */
    public static final int NONE = -1;

    public record Config(double rate, int[] noiseShape, Long seed) implements LayerConfig {
        public Config {
            checkRate("Dropout", rate);
            noiseShape = noiseShape == null ? null : noiseShape.clone();
        }

        @Override
        public String className() {
            return "Dropout";
        }

        @Override
        public Layer newLayer() {
            return new Dropout(this);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && rate == c.rate && Arrays.equals(noiseShape, c.noiseShape)
                    && java.util.Objects.equals(seed, c.seed);
        }

        @Override
        public int hashCode() {
            return Double.hashCode(rate) + 31 * Arrays.hashCode(noiseShape);
        }
    }

    private final int[] noiseShapeSpec;
    private float[] mask = new float[0];
    // Shapes of the last training batch, kept while the batch size stays the same: input (with
    // batch), mask, mask size, the mask's broadcast strides and a scratch index for the broadcast loop.
    private int maskBatch;
    private int[] batchShape;
    private int[] maskShape;
    private int maskSize;
    private int[] maskStrides;
    private int[] index;
    private Tensor output;
    private boolean maskApplied;

    public Dropout(double rate) {
        this(rate, null, null);
    }

    public Dropout(double rate, int[] noiseShape, Long seed) {
        super(rate, seed);
        this.noiseShapeSpec = noiseShape == null ? null : noiseShape.clone();
    }

    public Dropout(Config c) {
        this(c.rate(), c.noiseShape(), c.seed());
    }

    @Override
    public LayerConfig config() {
        return new Config(rate, noiseShapeSpec, seed());
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (noiseShapeSpec != null && noiseShapeSpec.length != in.length + 1) {
            throw new IllegalArgumentException(className() + " '" + name() + "': noise shape " + Arrays.toString(noiseShapeSpec)
                    + " has rank " + noiseShapeSpec.length + " but the input " + Shapes.withBatch(in) + " has rank " + (in.length + 1));
        }
        initRandom(ctx);
        return in.clone();
    }

    /** The mask shape for an input of shape {@code x} (with batch); SpatialDropout2D overrides this. */
    protected int[] noiseShape(int[] x) {
        if (noiseShapeSpec == null) {
            return x.clone();
        }
        int[] s = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            int d = noiseShapeSpec[i];
            if (d == NONE) {
                s[i] = x[i];
            } else if (d == 1 || d == x[i]) {
                s[i] = d;
            } else {
                throw new IllegalArgumentException(className() + " '" + name() + "': noise shape " + Arrays.toString(noiseShapeSpec)
                        + " does not broadcast to input " + Shapes.toString(x) + " at axis " + i);
            }
        }
        return s;
    }

    /** Draws a fresh mask of {@code noiseShape(x)} values in {0, 1/(1−rate)} from {@code r}, as a training pass would. */
    public float[] drawMask(int[] x, SplittableRandom r) {
        int[] ns = noiseShape(x);
        float[] m = new float[Math.toIntExact(Shapes.size(ns))];
        drawMask(r, rate, m, m.length);
        return m;
    }

    /*
     * Mask draws. Each unit takes 32 random bits, two units per nextLong() (low half first), and is
     * dropped when those bits, read as an unsigned number u, are below t = round(rate · 2³²): so
     * P(drop) = t / 2³², within 2⁻³³ of the rate. The comparison is turned into a bit mask
     * ((u − t) >> 63 is all ones exactly when u < t) that selects 0 or 1/(1 − rate) without a
     * branch: the outcome is random, so a branch would be mispredicted on a large share of the
     * units. Against one nextDouble() per unit and a branch, this is several times faster; a whole
     * mask is still one seeded sequence, so a run is reproducible bit for bit.
     */

    /** t: a unit is dropped when its 32 random bits, unsigned, are below this. */
    private static long dropThreshold(double rate) {
        return (long) Math.rint(rate * 0x1p32);
    }

    /** 0f (drop) or the keep value, from 32 random bits {@code u} (in the low half). */
    private static float unit(long u, long threshold, int keepBits) {
        return Float.intBitsToFloat(keepBits & ~(int) ((u - threshold) >> 63));
    }

    /** Fills m[0, size) with a fresh mask drawn from {@code r}. */
    static void drawMask(SplittableRandom r, double rate, float[] m, int size) {
        long t = dropThreshold(rate);
        int keepBits = Float.floatToRawIntBits((float) (1.0 / (1.0 - rate)));
        int i = 0;
        for (; i + 1 < size; i += 2) {
            long bits = r.nextLong();
            m[i] = unit(bits & 0xFFFF_FFFFL, t, keepBits);
            m[i + 1] = unit(bits >>> 32, t, keepBits);
        }
        if (i < size) {
            m[i] = unit(r.nextLong() & 0xFFFF_FFFFL, t, keepBits);
        }
    }

    /** out = in ⊙ mask with the mask drawn in the same pass: the same draws as {@link #drawMask(SplittableRandom, double, float[], int)}. */
    private static void drawAndApply(SplittableRandom r, double rate, float[] m, float[] in, float[] out, int size) {
        long t = dropThreshold(rate);
        int keepBits = Float.floatToRawIntBits((float) (1.0 / (1.0 - rate)));
        int i = 0;
        for (; i + 1 < size; i += 2) {
            long bits = r.nextLong();
            float m0 = unit(bits & 0xFFFF_FFFFL, t, keepBits), m1 = unit(bits >>> 32, t, keepBits);
            m[i] = m0;
            m[i + 1] = m1;
            out[i] = in[i] * m0;
            out[i + 1] = in[i + 1] * m1;
        }
        if (i < size) {
            float m0 = unit(r.nextLong() & 0xFFFF_FFFFL, t, keepBits);
            m[i] = m0;
            out[i] = in[i] * m0;
        }
    }

    /**
     * Brings the shapes of the mask up to date for a batch of {@code x}: they depend only on the batch
     * size (the rest is fixed at build), so they are worked out again only when it changes.
     */
    private void prepareShapes(Tensor x) {
        int n = x.dim(0);
        if (maskShape != null && maskBatch == n) {
            return;
        }
        batchShape = x.shape();
        maskShape = noiseShape(batchShape);
        maskSize = Math.toIntExact(Shapes.size(maskShape));
        maskStrides = broadcastStrides(maskShape);
        index = new int[batchShape.length];
        maskBatch = n;
    }

    // x: (N, ...) -> y: (N, ...); identity unless training
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        maskApplied = training && rate > 0;
        if (!maskApplied) {
            return x;
        }
        prepareShapes(x);
        int size = maskSize;
        if (mask.length != size) {
            mask = new float[size];
        }
        output = reuseLike(output, x);
        if (size == x.size()) {
            // element-wise mask: draw and apply in one pass (same draws, same order)
            drawAndApply(random, rate, mask, x.data(), output.data(), size);
            return output;
        }
        drawMask(random, rate, mask, size);
        multiply(x.data(), batchShape, mask, maskStrides, index, output.data());
        return output;
    }

    /** y = x ⊙ mask broadcast from {@code maskShape} (with batch), for a mask chosen by the caller. */
    public Tensor applyMask(Tensor x, float[] m, int[] mShape) {
        Tensor y = Tensor.zeros(x.shape());
        multiply(x.data(), x.shape(), m, mShape, y.data());
        return y;
    }

    // dy: (N, ...) -> dx: (N, ...)
    @Override
    public Tensor backward(Tensor gradOut) {
        if (!maskApplied) {
            return gradOut;
        }
        checkGradient(gradOut, output.dim(0));
        // in place: gradOut is handed over (Layer contract), so no buffer of the input's size is kept
        float[] g = gradOut.data();
        if (maskSize == g.length) {
            for (int i = 0; i < g.length; i++) {
                g[i] *= mask[i];
            }
        } else {
            multiply(g, batchShape, mask, maskStrides, index, g);
        }
        return gradOut;
    }

    /** The mask used by the last training forward pass (values 0 or 1/(1−rate)) and its shape. */
    public float[] lastMask() {
        return mask.clone();
    }

    public int[] lastMaskShape() {
        return maskShape == null ? null : maskShape.clone();
    }

    /** out = in ⊙ broadcast(mask); a mask axis of size 1 is repeated along the input's axis. */
    static void multiply(float[] in, int[] shape, float[] m, int[] mShape, float[] out) {
        if (Arrays.equals(shape, mShape)) {
            for (int i = 0; i < in.length; i++) {
                out[i] = in[i] * m[i];
            }
            return;
        }
        multiply(in, shape, m, broadcastStrides(mShape), new int[shape.length], out);
    }

    /** The mask's strides, 0 on broadcast axes (those of size 1). */
    private static int[] broadcastStrides(int[] mShape) {
        int[] ms = new int[mShape.length];
        int stride = 1;
        for (int a = mShape.length - 1; a >= 0; a--) {
            ms[a] = mShape[a] == 1 ? 0 : stride;
            stride *= mShape[a];
        }
        return ms;
    }

    /** out = in ⊙ broadcast(mask) given the mask's strides {@code ms}; {@code idx} is scratch of the input's rank. */
    private static void multiply(float[] in, int[] shape, float[] m, int[] ms, int[] idx, float[] out) {
        int rank = shape.length;
        int inner = shape[rank - 1];
        int innerStride = ms[rank - 1];
        Arrays.fill(idx, 0);
        int outer = in.length / Math.max(1, inner);
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            int mBase = 0;
            for (int a = 0; a < rank - 1; a++) {
                mBase += idx[a] * ms[a];
            }
            for (int j = 0; j < inner; j++) {
                out[pos + j] = in[pos + j] * m[mBase + j * innerStride];
            }
            pos += inner;
            for (int a = rank - 2; a >= 0; a--) {
                if (++idx[a] < shape[a]) {
                    break;
                }
                idx[a] = 0;
            }
        }
    }
}
