package io.cnn4j.study;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.Locale;
import java.util.Set;

/**
 * One way of placing dropout around every pooling layer of the base model.
 *
 * @param pooling   "max" or "avg": the pooling layer used at every pooling site
 * @param dropout   "none", "dropout" (element-wise), "spatial" (whole channels, SpatialDropout2D) or "pwp"
 *                  (element-wise before a max pool, fused with it, probabilistic weighted pooling at
 *                  inference: Wu &amp; Gu 2015; max pooling and "before" only) or "dropblock" (DropBlock2D,
 *                  Ghiasi et al. 2018, blocks of {@link VariantFactory#DROPBLOCK_SIZE})
 * @param position  "before" or "after" the pooling layer ("none" when dropout is "none"); or, for element-wise and spatial
 *                  dropout, "before-bn" / "after-bn": right before every BatchNormalization that follows a convolution
 *                  (Conv → dropout → BN → ReLU), or right after it and its activation (Conv → BN → ReLU → dropout); the
 *                  base model's dropout next to the pools is then removed and nothing is placed at the pools
 * @param rate      the drop probability actually used
 * @param nominalRate the rate the user asked for; differs from {@code rate} when {@code rateMode} is "matched"
 * @param rateMode  "nominal" (rate = nominal rate) or "matched" (element-wise before the pool at
 *                  p_before = p_after^(1/k²), which zeroes pooled units as often as p_after does after it)
 */
public record Variant(String pooling, String dropout, String position, double rate, double nominalRate, String rateMode) {
    static final Set<String> POOLINGS = Set.of("max", "avg");
    static final Set<String> DROPOUTS = Set.of("none", "dropout", "spatial", "pwp", "dropblock");
    static final Set<String> POSITIONS = Set.of("none", "before", "after", "before-bn", "after-bn");

    public Variant {
        pooling = lower(pooling, "pooling");
        dropout = lower(dropout, "dropout");
        position = dropout.equals("none") ? "none" : lower(position, "position");
        rateMode = rateMode == null ? "nominal" : lower(rateMode, "rateMode");
        if (!POOLINGS.contains(pooling)) {
            throw new IllegalArgumentException("variant pooling must be one of max, avg; got '" + pooling + "'");
        }
        if (!DROPOUTS.contains(dropout)) {
            throw new IllegalArgumentException("variant dropout must be one of none, dropout, spatial, pwp, dropblock; got '" + dropout + "'");
        }
        if (dropout.equals("pwp") && (!pooling.equals("max") || !"before".equals(position))) {
            throw new IllegalArgumentException("variant pwp (max-pooling dropout with probabilistic weighted pooling) exists only with max "
                    + "pooling, before the pool; got " + pooling + " pooling, position '" + position + "'");
        }
        if (!POSITIONS.contains(position) || (!dropout.equals("none") && position.equals("none"))) {
            throw new IllegalArgumentException("variant position must be 'before' or 'after' the pooling layer, or 'before-bn' / 'after-bn' "
                    + "(around BatchNormalization); got '" + position + "'");
        }
        if (position.endsWith("-bn") && !dropout.equals("dropout") && !dropout.equals("spatial")) {
            throw new IllegalArgumentException("variant position '" + position + "' takes dropout 'dropout' or 'spatial', got '" + dropout + "'");
        }
        if (!rateMode.equals("nominal") && !rateMode.equals("matched")) {
            throw new IllegalArgumentException("variant rateMode must be 'nominal' or 'matched'; got '" + rateMode + "'");
        }
        if (dropout.equals("none")) {
            rate = 0;
            nominalRate = 0;
        } else if (!(rate > 0 && rate < 1) || !(nominalRate > 0 && nominalRate < 1)) {
            throw new IllegalArgumentException("variant " + dropout + "-" + position + ": rate is the drop probability and must be in (0, 1), got "
                    + rate + (nominalRate != rate ? " (nominal " + nominalRate + ")" : ""));
        }
    }

    private static String lower(String s, String what) {
        if (s == null) {
            throw new IllegalArgumentException("variant " + what + " is missing");
        }
        return s.trim().toLowerCase(Locale.ROOT);
    }

    public static Variant none(String pooling) {
        return new Variant(pooling, "none", "none", 0, 0, "nominal");
    }

    public static Variant nominal(String pooling, String dropout, String position, double rate) {
        return new Variant(pooling, dropout, position, rate, rate, "nominal");
    }

    /** Element-wise dropout before a pool of {@code window} = k² inputs, at the rate that matches {@code pAfter} after it. */
    public static Variant matchedBefore(String pooling, double pAfter, int window) {
        return new Variant(pooling, "dropout", "before", matchedRate(pAfter, window), pAfter, "matched");
    }

    /** Max-pooling dropout before the pool with probabilistic weighted pooling at inference (Wu &amp; Gu 2015). */
    public static Variant pwp(double rate, double nominalRate, String rateMode) {
        return new Variant("max", "pwp", "before", rate, nominalRate, rateMode);
    }

    /** p_before = p_after^(1/k²): a pooled unit is zero only if all k² inputs drop. */
    public static double matchedRate(double pAfter, int window) {
        return Math.pow(pAfter, 1.0 / window);
    }

    /** A short readable name, e.g. "max dropout-after 0.25", "max dropout-before 0.71 (matched 0.25)". */
    @JsonIgnore
    public String name() {
        if (dropout.equals("none")) {
            return pooling + " no-dropout";
        }
        String kind = dropout.equals("pwp") ? "dropout-before+pwp" : (dropout.equals("dropout") ? "dropout" : dropout) + "-" + position;
        String r = fmt(rate);
        return pooling + " " + kind + " " + r + (rateMode.equals("matched") ? " (matched " + fmt(nominalRate) + ")" : "");
    }

    /** A file-name-safe identifier, e.g. "max_dropout-after_0.25", "max_dropout-before_0.7071_matched". */
    @JsonIgnore
    public String id() {
        if (dropout.equals("none")) {
            return pooling + "_none";
        }
        return pooling + "_" + dropout + "-" + position + "_" + String.format(Locale.ROOT, "%.4f", rate).replaceAll("0+$", "")
                + (rateMode.equals("matched") ? "_matched" : "");
    }

    /**
     * Probability that the mask alone zeroes a pooled unit, for a pool of {@code window} = k²
     * inputs: p^(k²) for element-wise dropout before the pool, p otherwise (after the pool, or
     * spatial anywhere, since a channel mask is constant over the window; for DropBlock before the
     * pool p is an approximation, blocks cover windows partly).
     */
    public double pooledZeroRate(int window) {
        if (dropout.equals("none")) {
            return 0;
        }
        if (aroundBatchNormalization()) {
            return 0; // the mask sits at the BatchNormalization layers, none at the pools
        }
        boolean elementWise = dropout.equals("dropout") || dropout.equals("pwp");
        return elementWise && position.equals("before") ? Math.pow(rate, window) : rate;
    }

    /** True for the "before-bn" / "after-bn" placements (dropout around BatchNormalization, not around the pools). */
    @JsonIgnore
    public boolean aroundBatchNormalization() {
        return position.endsWith("-bn");
    }

    static String fmt(double r) {
        String s = String.format(Locale.ROOT, "%.2f", r);
        return s;
    }
}
