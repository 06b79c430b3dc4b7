package io.cnn4j.study;

import io.cnn4j.layers.AveragePooling2D;
import io.cnn4j.layers.BuildContext;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.MaxPoolingDropout2D;
import io.cnn4j.layers.Pooling2D;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.model.Sequential;
import io.cnn4j.random.Seeds;
import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks that explain the ranking, on pooling inputs taken from random data or from a trained
 * model (see DESIGN.md, "The question, worked out"):
 * <ol>
 *   <li>commutation: spatial dropout before vs after a pool with the same channel mask;</li>
 *   <li>pooled zero rate: element-wise dropout before a k×k max pool zeroes a pooled unit only when
 *       all its non-zero inputs drop (p^(k²) for positive inputs), after the pool with probability p;</li>
 *   <li>moments: mean and variance of pooled activations under each placement, relative to no dropout.</li>
 * </ol>
 */
public final class Mechanisms {
    private Mechanisms() {
    }

    /** (a) max |pool(m ⊙ x) − m ⊙ pool(x)| for one channel mask m; {@code maxAbs} is max |pool(x)| for scale. */
    public record Commutation(String source, String pooling, int k, double rate, double maxAbsDiff, double maxAbs) {
    }

    /**
     * (b) Among pooled units that are non-zero without dropout: the fraction that dropout makes zero.
     *
     * @param theoryBefore mean over those units of p^(m), m = the window's non-zero inputs (= p^(k²) for positive inputs)
     * @param bound        a 4-sigma binomial half-width around theoryBefore for {@code units} units
     */
    public record ZeroRate(String source, int k, double rate, long units, double measuredBefore, double theoryBefore, double pK2,
                           double measuredAfter, double bound) {
    }

    /** (c) Mean and variance of pooled activations under one placement, and their ratio to no dropout. */
    public record Moments(String source, String pooling, String placement, double mean, double variance, double meanRatio,
                          double varianceRatio) {
    }

    public record Report(List<Commutation> commutation, List<ZeroRate> zeroRates, List<Moments> moments) {
    }

    static Pooling2D<?> pool(String pooling, int k, int[] inputShape) {
        Pooling2D<?> p = pooling.equals("max") ? new MaxPooling2D(k, k) : new AveragePooling2D(k, k);
        p.build(inputShape, new BuildContext(new SplittableRandom(0), null, 1));
        return p;
    }

    static Dropout dropout(boolean spatial, double rate, int[] inputShape) {
        Dropout d = spatial ? new SpatialDropout2D(rate, 0L) : new Dropout(rate, null, 0L);
        d.build(inputShape, new BuildContext(new SplittableRandom(0), null, 1));
        return d;
    }

    /** Strictly positive random activations (N, H, W, C), like post-ReLU units that are all active. */
    public static Tensor randomPositive(int n, int h, int w, int c, long seed) {
        SplittableRandom r = Seeds.random(seed, "mechanism-input");
        float[] x = new float[n * h * w * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.05 + r.nextDouble());
        }
        return new Tensor(x, n, h, w, c);
    }

    public static Commutation commutation(String source, Tensor x, String pooling, int k, double rate, long seed) {
        int[] item = x.itemShape();
        Pooling2D<?> p = pool(pooling, k, item);
        SpatialDropout2D sd = (SpatialDropout2D) dropout(true, rate, item);
        float[] mask = sd.drawMask(x.shape(), Seeds.random(seed, "commutation"));
        int[] maskShape = {x.dim(0), 1, 1, x.dim(3)};
        Tensor before = p.forward(sd.applyMask(x, mask, maskShape), false).copy();
        Tensor pooled = p.forward(x, false).copy();
        Tensor after = sd.applyMask(pooled, mask, maskShape);
        double diff = 0, max = 0;
        for (int i = 0; i < before.size(); i++) {
            diff = Math.max(diff, Math.abs(before.data()[i] - after.data()[i]));
            max = Math.max(max, Math.abs(pooled.data()[i]));
        }
        return new Commutation(source, pooling, k, rate, diff, max);
    }

    /** (b) with {@code draws} independent masks over {@code x}. */
    public static ZeroRate zeroRate(String source, Tensor x, int k, double rate, int draws, long seed) {
        int[] item = x.itemShape();
        Pooling2D<?> p = pool("max", k, item);
        Tensor pooled = p.forward(x, false).copy();
        Dropout before = dropout(false, rate, item);
        Dropout after = dropout(false, rate, pooled.itemShape());
        // non-zero inputs per window, for the theory p^m
        int[] active = activeInputs(x, k);
        double theorySum = 0;
        long units = 0;
        for (int i = 0; i < pooled.size(); i++) {
            if (pooled.data()[i] != 0) {
                theorySum += Math.pow(rate, active[i]);
                units++;
            }
        }
        long zeroBefore = 0, zeroAfter = 0;
        SplittableRandom r = Seeds.random(seed, "zero-rate");
        for (int d = 0; d < draws; d++) {
            Tensor yb = p.forward(before.applyMask(x, before.drawMask(x.shape(), r), x.shape()), false);
            Tensor ya = after.applyMask(pooled, after.drawMask(pooled.shape(), r), pooled.shape());
            for (int i = 0; i < pooled.size(); i++) {
                if (pooled.data()[i] != 0) {
                    if (yb.data()[i] == 0) {
                        zeroBefore++;
                    }
                    if (ya.data()[i] == 0) {
                        zeroAfter++;
                    }
                }
            }
        }
        long total = units * draws;
        double theory = units == 0 ? Double.NaN : theorySum / units;
        double bound = 4 * Math.sqrt(theory * (1 - theory) / Math.max(1, total)) + 1.0 / Math.max(1, total);
        return new ZeroRate(source, k, rate, total, (double) zeroBefore / total, theory, Math.pow(rate, k * k),
                (double) zeroAfter / total, bound);
    }

    /** For each pooled unit (N, OH, OW, C) the number of non-zero inputs in its k×k window (stride k, valid). */
    static int[] activeInputs(Tensor x, int k) {
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        int oh = h / k, ow = w / k;
        int[] out = new int[n * oh * ow * c];
        float[] d = x.data();
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    for (int ch = 0; ch < c; ch++) {
                        int m = 0;
                        for (int u = 0; u < k; u++) {
                            for (int v = 0; v < k; v++) {
                                if (d[((b * h + i * k + u) * w + j * k + v) * c + ch] != 0) {
                                    m++;
                                }
                            }
                        }
                        out[((b * oh + i) * ow + j) * c + ch] = m;
                    }
                }
            }
        }
        return out;
    }

    /** (c) for placements none, dropout-before, dropout-after, spatial-before, spatial-after. */
    public static List<Moments> moments(String source, Tensor x, String pooling, int k, double rate, int draws, long seed) {
        int[] item = x.itemShape();
        Pooling2D<?> p = pool(pooling, k, item);
        Tensor pooled = p.forward(x, false).copy();
        double[] none = meanVar(List.of(pooled));
        List<Moments> out = new ArrayList<>();
        out.add(new Moments(source, pooling, "no dropout", none[0], none[1], 1, 1));
        for (String placement : List.of("dropout-before", "dropout-after", "spatial-before", "spatial-after")) {
            boolean spatial = placement.startsWith("spatial");
            boolean beforePool = placement.endsWith("before");
            Dropout dIn = dropout(spatial, rate, item);
            Dropout dOut = dropout(spatial, rate, pooled.itemShape());
            SplittableRandom r = Seeds.random(seed, "moments", placement.hashCode());
            List<Tensor> samples = new ArrayList<>();
            for (int d = 0; d < draws; d++) {
                if (beforePool) {
                    int[] ms = spatial ? new int[]{x.dim(0), 1, 1, x.dim(3)} : x.shape();
                    samples.add(p.forward(dIn.applyMask(x, dIn.drawMask(x.shape(), r), ms), false).copy());
                } else {
                    int[] ms = spatial ? new int[]{pooled.dim(0), 1, 1, pooled.dim(3)} : pooled.shape();
                    samples.add(dOut.applyMask(pooled, dOut.drawMask(pooled.shape(), r), ms));
                }
            }
            double[] mv = meanVar(samples);
            out.add(new Moments(source, pooling, placement, mv[0], mv[1], mv[0] / none[0], mv[1] / none[1]));
        }
        if (pooling.equals("max") && x.dim(1) % k == 0 && x.dim(2) % k == 0) {
            // Wu & Gu's max-pooling dropout: training output (no rescaling) and its inference expectation
            MaxPoolingDropout2D fused = new MaxPoolingDropout2D(rate, k, seed);
            fused.build(item, new BuildContext(new SplittableRandom(0), null, 1));
            fused.reseed(Seeds.derive(seed, "moments-pwp"));
            List<Tensor> samples = new ArrayList<>();
            for (int d = 0; d < draws; d++) {
                samples.add(fused.forward(x, true).copy());
            }
            double[] train = meanVar(samples);
            double[] inference = meanVar(List.of(fused.forward(x, false).copy()));
            out.add(new Moments(source, pooling, "pwp-before (training)", train[0], train[1], train[0] / none[0], train[1] / none[1]));
            out.add(new Moments(source, pooling, "pwp-before (inference)", inference[0], inference[1], inference[0] / none[0],
                    inference[1] / none[1]));
        }
        return out;
    }

    private static double[] meanVar(List<Tensor> ts) {
        double sum = 0, sumSq = 0;
        long n = 0;
        for (Tensor t : ts) {
            for (float v : t.data()) {
                sum += v;
                sumSq += (double) v * v;
                n++;
            }
        }
        double mean = sum / n;
        return new double[]{mean, Math.max(0, sumSq / n - mean * mean)};
    }

    /**
     * The inputs of every pooling layer of a trained {@code model} on {@code x} (inference mode),
     * with the pool's window size: [tensor, k] pairs in model order.
     */
    public static List<Object[]> poolInputs(Sequential model, Tensor x) {
        List<Object[]> out = new ArrayList<>();
        Tensor h = x;
        for (Layer l : model.layers()) {
            if (l instanceof Pooling2D<?> p) {
                out.add(new Object[]{h.copy(), p.poolSize()[0]});
            }
            h = l.forward(h, false);
        }
        return out;
    }

    /** All three checks on random positive inputs and, when given, on a trained model's pooling inputs. */
    public static Report run(double rate, int k, Sequential trained, Tensor sample, long seed) {
        List<Commutation> comm = new ArrayList<>();
        List<ZeroRate> zero = new ArrayList<>();
        List<Moments> mom = new ArrayList<>();
        Tensor random = randomPositive(16, 4 * k, 4 * k, 8, seed);
        for (String pooling : List.of("max", "avg")) {
            comm.add(commutation("random", random, pooling, k, rate, seed));
        }
        zero.add(zeroRate("random", random, k, rate, 50, seed));
        mom.addAll(moments("random", random, "max", k, rate, 20, seed));
        mom.addAll(moments("random", random, "avg", k, rate, 20, seed));
        if (trained != null) {
            List<Object[]> inputs = poolInputs(trained, sample);
            for (int i = 0; i < inputs.size(); i++) {
                Tensor in = (Tensor) inputs.get(i)[0];
                int pk = (Integer) inputs.get(i)[1];
                String src = "trained, pool " + (i + 1);
                for (String pooling : List.of("max", "avg")) {
                    comm.add(commutation(src, in, pooling, pk, rate, seed + i));
                }
                zero.add(zeroRate(src, in, pk, rate, 10, seed + i));
                mom.addAll(moments(src, in, "max", pk, rate, 10, seed + i));
                mom.addAll(moments(src, in, "avg", pk, rate, 10, seed + i));
            }
        }
        return new Report(comm, zero, mom);
    }
}
