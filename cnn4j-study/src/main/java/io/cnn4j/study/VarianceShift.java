package io.cnn4j.study;

import io.cnn4j.kernels.ConvGeometry;
import io.cnn4j.layers.ActivationFunction;
import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.layers.Stochastic;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Mechanism check for dropout around BatchNormalization: the variance shift of Li, Chen, Hu and
 * Yang, "Understanding the Disharmony between Dropout and Batch Normalization by Variance Shift",
 * CVPR 2019 (arXiv 1801.05134). On one batch, for every BatchNormalization layer, the per-channel
 * variance of its input (over batch, height and width) is measured twice: with every layer in
 * inference mode, and with the dropout layers in training mode and everything else (earlier BN
 * layers included) in inference mode, so that the difference is dropout's alone.
 *
 * <p>Prediction. Inverted dropout with keep probability q = 1 − p turns x into m·x/q, m ~ Bernoulli(q)
 * independent of x. The mean is unchanged and, by the law of total variance,
 * Var_train = Var(x) + (p/q)·E[x²] = (Var(x) + E[x]²)/q − E[x]², while inference sees Var(x): Li et
 * al.'s Var^Train = (1/p)(c² + v) − c² against Var^Test = v, their p being our q. A spatial mask
 * (one m per sample and channel) gives the same expectation per channel. When a convolution without
 * activation sits between the dropout and the BN (the dropout placed after the previous BN and its
 * ReLU), y = Σ w·m·x/q and Var_train(y) = Var_test(y) + (p/q)·E[Σ w²x²] for element-wise masks, or
 * (p/q)·E[Σ_c (Σ_taps w·x)²] for channel masks; other paths (a pool in between) get no prediction.
 * The ratio reported is mean-over-channels Var_train / mean-over-channels Var_inference.
 */
public final class VarianceShift {
    private VarianceShift() {
    }

    /**
     * One BatchNormalization layer of one variant's model.
     *
     * @param variant        the variant's readable name
     * @param layer          the BN layer's name
     * @param path           how the nearest dropout reaches it: "dropout → BN", "dropout → conv → BN", "no dropout before it", "farther"
     * @param varInference   mean over channels of the input's variance, all layers in inference mode
     * @param varTraining    the same with dropout in training mode
     * @param measuredRatio  varTraining / varInference: every dropout layer before the BN in training mode
     * @param isolatedRatio  the same with only the nearest dropout (the one the prediction is about) in training mode,
     *                       NaN where there is no prediction
     * @param predictedRatio the ratio the analysis predicts from the same batch, NaN where it makes none
     */
    public record Row(String variant, String layer, String path, double varInference, double varTraining, double measuredRatio,
                      double isolatedRatio, double predictedRatio) {
    }

    /** Measures every BatchNormalization layer of a built {@code model} on the batch {@code x}; masks drawn from {@code seed}. */
    public static List<Row> measure(String variant, Sequential model, Tensor x, long seed) {
        List<Layer> layers = model.layers();
        int n = layers.size();
        Tensor[] inference = new Tensor[n + 1];
        Tensor[] training = new Tensor[n + 1];
        inference[0] = x;
        training[0] = x;
        Tensor h = x;
        for (int i = 0; i < n; i++) {
            h = layers.get(i).forward(h, false);
            inference[i + 1] = h.copy(); // layers reuse their output buffers
        }
        model.reseedMasks(seed);
        h = x;
        for (int i = 0; i < n; i++) {
            Layer l = layers.get(i);
            h = l.forward(h, l instanceof Stochastic);
            training[i + 1] = h.copy();
        }
        List<Row> rows = new ArrayList<>();
        boolean dropoutSeen = false;
        long passSeed = seed;
        for (int i = 0; i < n; i++) {
            Layer l = layers.get(i);
            if (l instanceof BatchNormalization) {
                double[] vInf = channelVariances(inference[i]);
                double[] vTr = channelVariances(training[i]);
                double[] extra = null;
                String path;
                int nearest = -1;
                if (i >= 1 && rate(layers.get(i - 1)) > 0) {
                    path = "dropout → BN";
                    nearest = i - 1;
                    extra = directExtra(inference[i - 1], rate(layers.get(i - 1)));
                } else if (i >= 2 && rate(layers.get(i - 2)) > 0 && layers.get(i - 1) instanceof Conv2D conv
                        && conv.config().activation() == ActivationFunction.LINEAR) {
                    path = "dropout → conv → BN";
                    nearest = i - 2;
                    extra = throughConv(inference[i - 2], conv, rate(layers.get(i - 2)), layers.get(i - 2) instanceof SpatialDropout2D);
                } else {
                    path = dropoutSeen ? "dropout farther upstream" : "no dropout before it";
                }
                double inf = mean(vInf), tr = mean(vTr);
                double predicted = Double.NaN;
                if (extra != null) {
                    double s = 0;
                    for (int c = 0; c < vInf.length; c++) {
                        s += vInf[c] + extra[c];
                    }
                    predicted = s / vInf.length / inf;
                } else if (!dropoutSeen) {
                    predicted = 1;
                }
                double isolated = Double.NaN;
                if (nearest >= 0) {
                    // the same masks as the full pass (same seed), only the nearest dropout switched on
                    model.reseedMasks(passSeed);
                    Tensor g = x;
                    for (int k = 0; k < i; k++) {
                        g = layers.get(k).forward(g, k == nearest);
                    }
                    isolated = mean(channelVariances(g)) / inf;
                }
                rows.add(new Row(variant, l.name(), path, inf, tr, tr / inf, isolated, predicted));
            }
            if (rate(l) > 0) {
                dropoutSeen = true;
            }
        }
        return rows;
    }

    /** The drop rate of a Dropout / SpatialDropout2D layer, 0 for any other layer. */
    static double rate(Layer l) {
        if (l.config() instanceof SpatialDropout2D.Config s) {
            return s.rate();
        }
        if (l.config() instanceof Dropout.Config d) {
            return d.rate();
        }
        return 0;
    }

    /** Per channel (last axis): the variance over all other axes. */
    static double[] channelVariances(Tensor t) {
        int c = t.dim(t.rank() - 1);
        double[] sum = new double[c], sq = new double[c];
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            sum[i % c] += d[i];
        }
        int rows = d.length / c;
        for (int k = 0; k < c; k++) {
            sum[k] /= rows;
        }
        for (int i = 0; i < d.length; i++) {
            double e = d[i] - sum[i % c];
            sq[i % c] += e * e;
        }
        for (int k = 0; k < c; k++) {
            sq[k] /= rows;
        }
        return sq;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** (p/q)·E[x²] per channel: what dropout adds to the variance of the unit it masks. */
    static double[] directExtra(Tensor x, double p) {
        int c = x.dim(x.rank() - 1);
        double[] m2 = new double[c];
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            m2[i % c] += (double) d[i] * d[i];
        }
        int rows = d.length / c;
        for (int k = 0; k < c; k++) {
            m2[k] = p / (1 - p) * m2[k] / rows;
        }
        return m2;
    }

    /**
     * (p/q)·E[Var part] per output channel of {@code conv} applied to masked {@code x}: Σ over taps of w²x²
     * for element-wise masks, Σ over input channels of (Σ over that channel's taps of w·x)² for channel masks.
     */
    static double[] throughConv(Tensor x, Conv2D conv, double p, boolean spatial) {
        Conv2D.Config k = conv.config();
        int n = x.dim(0), hIn = x.dim(1), wIn = x.dim(2), cIn = x.dim(3);
        int kh = k.kernelSize()[0], kw = k.kernelSize()[1], f = k.filters();
        ConvGeometry gh = ConvGeometry.of(hIn, kh, k.strides()[0], k.padding());
        ConvGeometry gw = ConvGeometry.of(wIn, kw, k.strides()[1], k.padding());
        float[] w = conv.parameters().get(0).value(), xs = x.data();
        double[] acc = new double[f];
        double[] partial = new double[cIn];
        for (int s = 0; s < n; s++) {
            for (int oh = 0; oh < gh.out(); oh++) {
                for (int ow = 0; ow < gw.out(); ow++) {
                    for (int o = 0; o < f; o++) {
                        java.util.Arrays.fill(partial, 0);
                        for (int a = 0; a < kh; a++) {
                            int ih = oh * gh.stride() - gh.padBefore() + a;
                            if (ih < 0 || ih >= hIn) {
                                continue;
                            }
                            for (int b = 0; b < kw; b++) {
                                int iw = ow * gw.stride() - gw.padBefore() + b;
                                if (iw < 0 || iw >= wIn) {
                                    continue;
                                }
                                int xi = ((s * hIn + ih) * wIn + iw) * cIn;
                                int wi = (a * kw + b) * cIn * f + o;
                                for (int c = 0; c < cIn; c++) {
                                    double term = (double) w[wi + c * f] * xs[xi + c];
                                    if (spatial) {
                                        partial[c] += term;
                                    } else {
                                        partial[c] += term * term;
                                    }
                                }
                            }
                        }
                        double v = 0;
                        for (int c = 0; c < cIn; c++) {
                            v += spatial ? partial[c] * partial[c] : partial[c];
                        }
                        acc[o] += v;
                    }
                }
            }
        }
        int rows = n * gh.out() * gw.out();
        for (int o = 0; o < f; o++) {
            acc[o] = p / (1 - p) * acc[o] / rows;
        }
        return acc;
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** The report's section on the variance shift: one paragraph, a table, one chart. Empty when no row has a BN layer. */
    static ReportWriter.Part reportPart(List<Row> rows, double rate) {
        if (rows.isEmpty()) {
            return new ReportWriter.Part(List.of(), java.util.Map.of(), java.util.Map.of());
        }
        List<Object[]> b = new ArrayList<>();
        b.add(new Object[]{"h2", "Dropout and BatchNormalization: the variance shift"});
        double q = 1 - rate;
        b.add(new Object[]{"p", String.format(Locale.ROOT, "Inverted dropout with keep probability q = 1 − p multiplies a unit x by m/q, "
                + "m ~ Bernoulli(q). It keeps the mean but, in training only, adds variance: Var_train = (Var(x) + E[x]²)/q − E[x]² "
                + "= Var(x) + (p/q)·E[x²], against Var(x) in inference (Li, Chen, Hu and Yang, CVPR 2019, who write p for the keep "
                + "ratio). A BatchNormalization that sees this unit normalises with batch statistics that include the extra variance "
                + "while training, and accumulates its moving variance from them, but at inference the variance of its input drops "
                + "back to Var(x): the layer then scales by the wrong factor (the \"variance shift\"). The table measures it on the same "
                + "batch for every BN layer of seed 0's trained model of each variant, turning only the dropout layers to training "
                + "mode (all of them, and only the one nearest to the BN, which is what the prediction is about: upstream dropout "
                + "adds its own shift); the prediction uses the same batch's inference activations: directly for dropout → BN, and by the law of "
                + "total variance through a convolution without activation (Var_train(y) = Var(y) + (p/q)·E[Σw²x²], with channel "
                + "sums for spatial masks). At p = %.2f a unit right behind dropout gains at least p/q = %.2f of its second moment; "
                + "placed after BN and its ReLU, the noise reaches the next BN only through a convolution, and none reaches a BN "
                + "where no BN follows.", rate, rate / q)});
        List<List<String>> table = new ArrayList<>();
        for (Row r : rows) {
            table.add(List.of(r.variant(), r.layer(), r.path(), String.format(Locale.ROOT, "%.4g", r.varInference()),
                    String.format(Locale.ROOT, "%.4g", r.varTraining()), fmt(r.measuredRatio()), fmt(r.isolatedRatio()),
                    fmt(r.predictedRatio())));
        }
        b.add(new Object[]{"table", new ReportWriter.Table(List.of("variant", "BN layer", "nearest dropout", "input variance, inference",
                "input variance, dropout on", "ratio, all dropout on", "ratio, nearest dropout only", "ratio predicted"), table)});
        b.add(new Object[]{"img", "variance-shift.png"});
        return new ReportWriter.Part(b, java.util.Map.of("variance-shift.png", chart(rows)),
                java.util.Map.of("variance-shift.png", "Variance of each BatchNormalization layer's input with dropout on, relative to "
                        + "inference, measured and predicted (Li et al. 2019), per variant and BN layer."));
    }

    static byte[] chart(List<Row> rows) {
        org.knowm.xchart.CategoryChart c = new org.knowm.xchart.CategoryChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT + 80)
                .title("Variance shift at BatchNormalization inputs: dropout on / off").xAxisTitle("variant · BN layer")
                .yAxisTitle("Var train / Var inference").build();
        c.getStyler().setXAxisLabelRotation(45);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        List<String> names = new ArrayList<>();
        List<Double> measured = new ArrayList<>(), isolated = new ArrayList<>(), predicted = new ArrayList<>();
        java.util.Map<String, Integer> ordinal = new java.util.HashMap<>();
        for (Row r : rows) {
            int bn = ordinal.merge(r.variant(), 1, Integer::sum);
            if (r.path().equals("no dropout before it")) {
                continue; // ratio 1 by construction; keep the chart to the layers dropout reaches
            }
            // short labels: the placement without the pooling type, and the BN's ordinal
            names.add(r.variant().replaceFirst("^(max|avg) ", "") + " · BN" + bn);
            measured.add(r.measuredRatio());
            isolated.add(Double.isNaN(r.isolatedRatio()) ? 0 : r.isolatedRatio());
            predicted.add(Double.isNaN(r.predictedRatio()) ? 0 : r.predictedRatio());
        }
        if (names.isEmpty()) {
            names.add("none");
            measured.add(0.0);
            isolated.add(0.0);
            predicted.add(0.0);
        }
        c.addSeries("measured, all dropout on", names, measured);
        c.addSeries("measured, nearest dropout only", names, isolated);
        c.addSeries("predicted (0 = no prediction)", names, predicted);
        return Charts.png(c);
    }
}
