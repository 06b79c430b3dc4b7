package io.cnn4j.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-variant statistics and paired comparisons against the baseline, from finished trials. Test
 * accuracy is taken under a {@link Selection} (last epoch or best validation epoch); comparisons
 * end in a {@link Verdict} against the equivalence margin.
 */
public final class Analysis {
    /** The default equivalence margin: 0.3 accuracy points. */
    public static final double DEFAULT_MARGIN = 0.003;

    /**
     * Statistics of one variant over its seeds; {@code testAccuracy} under the analysis' selection,
     * {@code lastAccuracy} / {@code bestAccuracy} under each rule; curves are per-epoch means over
     * the seeds that reached the epoch.
     */
    public record VariantStats(Variant variant, int seeds, Stats.Summary testAccuracy, Stats.Summary gap, double meanBestEpoch,
                               double[] meanTrainLoss, double[] meanValLoss, double[] meanTrainAccuracy, double[] meanValAccuracy,
                               double meanSeconds, Stats.Summary lastAccuracy, Stats.Summary bestAccuracy) {
        /** 0-based epoch where the mean validation loss curve is lowest (-1 without validation). */
        public int valLossMinimum() {
            int best = -1;
            for (int e = 0; e < meanValLoss.length; e++) {
                if (!Double.isNaN(meanValLoss[e]) && (best < 0 || meanValLoss[e] < meanValLoss[best])) {
                    best = e;
                }
            }
            return best;
        }
    }

    /**
     * A variant against the baseline on the seeds both finished; Holm-adjusted p-values across all
     * comparisons (t-test, Wilcoxon and TOST each corrected on their own) and the verdict.
     */
    public record Comparison(Variant variant, Stats.Paired paired, double holmT, double holmWilcoxon, double holmTost, Verdict verdict) {
        public boolean significant() {
            return holmT < Verdict.ALPHA;
        }
    }

    private final List<VariantStats> variants = new ArrayList<>();
    private final List<Comparison> comparisons = new ArrayList<>();
    private final Variant baseline;
    private final double margin;
    private final Selection selection;

    /** Last-epoch accuracy, default margin. */
    public Analysis(List<Variant> order, Variant baseline, List<TrialResult> results) {
        this(order, baseline, results, DEFAULT_MARGIN, Selection.LAST);
    }

    /**
     * @param margin    equivalence margin as a fraction (0.003 = 0.3 points)
     * @param selection which epoch's test accuracy every statistic uses
     */
    public Analysis(List<Variant> order, Variant baseline, List<TrialResult> results, double margin, Selection selection) {
        if (!(margin > 0 && margin < 1)) {
            throw new IllegalArgumentException("--margin must be in (0, 100) points, got " + points(margin));
        }
        this.baseline = baseline;
        this.margin = margin;
        this.selection = selection;
        Map<String, Map<Long, TrialResult>> byVariant = new LinkedHashMap<>();
        for (Variant v : order) {
            byVariant.put(v.id(), new TreeMap<>());
        }
        for (TrialResult r : results) {
            byVariant.computeIfAbsent(r.trial().variant().id(), k -> new TreeMap<>()).put(r.trial().seed(), r);
        }
        Map<String, Variant> variantById = new LinkedHashMap<>();
        for (Variant v : order) {
            variantById.put(v.id(), v);
        }
        for (TrialResult r : results) {
            variantById.putIfAbsent(r.trial().variant().id(), r.trial().variant());
        }
        for (Map.Entry<String, Map<Long, TrialResult>> e : byVariant.entrySet()) {
            List<TrialResult> rs = new ArrayList<>(e.getValue().values());
            if (rs.isEmpty()) {
                continue;
            }
            variants.add(stats(variantById.get(e.getKey()), rs, selection));
        }
        Map<Long, TrialResult> base = baseline == null ? null : byVariant.get(baseline.id());
        if (base != null && !base.isEmpty()) {
            List<Variant> others = new ArrayList<>();
            List<Stats.Paired> paired = new ArrayList<>();
            for (Map.Entry<String, Map<Long, TrialResult>> e : byVariant.entrySet()) {
                if (e.getKey().equals(baseline.id()) || e.getValue().isEmpty()) {
                    continue;
                }
                List<Double> b = new ArrayList<>(), v = new ArrayList<>();
                for (Map.Entry<Long, TrialResult> s : e.getValue().entrySet()) {
                    TrialResult br = base.get(s.getKey());
                    if (br != null) {
                        b.add(br.testAccuracy(selection));
                        v.add(s.getValue().testAccuracy(selection));
                    }
                }
                if (b.isEmpty()) {
                    continue;
                }
                others.add(variantById.get(e.getKey()));
                paired.add(Stats.paired(b.stream().mapToDouble(Double::doubleValue).toArray(), v.stream().mapToDouble(Double::doubleValue).toArray(),
                        margin));
            }
            double[] holmT = Stats.holm(paired.stream().mapToDouble(Stats.Paired::tP).toArray());
            double[] holmW = Stats.holm(paired.stream().mapToDouble(p -> p.wilcoxon().p()).toArray());
            double[] holmE = Stats.holm(paired.stream().mapToDouble(p -> p.tost().p()).toArray());
            for (int i = 0; i < others.size(); i++) {
                Stats.Paired p = paired.get(i);
                comparisons.add(new Comparison(others.get(i), p, holmT[i], holmW[i], holmE[i],
                        Verdict.decide(p.n(), p.meanDiff(), holmT[i], holmE[i])));
            }
        }
    }

    private static VariantStats stats(Variant v, List<TrialResult> rs, Selection selection) {
        double[] acc = rs.stream().mapToDouble(r -> r.testAccuracy(selection)).toArray();
        double[] last = rs.stream().mapToDouble(r -> r.testAccuracy(Selection.LAST)).toArray();
        double[] best = rs.stream().mapToDouble(r -> r.testAccuracy(Selection.BEST)).toArray();
        double[] gap = rs.stream().mapToDouble(TrialResult::gap).toArray();
        double bestEpoch = rs.stream().mapToDouble(TrialResult::bestEpoch).average().orElse(Double.NaN);
        int epochs = rs.stream().mapToInt(r -> r.epochs().size()).max().orElse(0);
        double[][] curves = new double[4][epochs];
        int[] count = new int[epochs];
        for (TrialResult r : rs) {
            for (int e = 0; e < r.epochs().size(); e++) {
                EpochRecord er = r.epochs().get(e);
                curves[0][e] += er.loss();
                curves[1][e] += er.valLoss();
                curves[2][e] += er.accuracy();
                curves[3][e] += er.valAccuracy();
                count[e]++;
            }
        }
        for (double[] c : curves) {
            for (int e = 0; e < epochs; e++) {
                c[e] /= count[e];
            }
        }
        double secs = rs.stream().mapToDouble(TrialResult::seconds).average().orElse(Double.NaN);
        return new VariantStats(v, rs.size(), Stats.summarize(acc), Stats.summarize(gap), bestEpoch, curves[0], curves[1], curves[2],
                curves[3], secs, Stats.summarize(last), Stats.summarize(best));
    }

    /** A fraction as accuracy points without trailing zeros: 0.003 gives "0.3". */
    public static String points(double fraction) {
        return java.math.BigDecimal.valueOf(100 * fraction).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    public double margin() {
        return margin;
    }

    public Selection selection() {
        return selection;
    }

    public List<VariantStats> variants() {
        return variants;
    }

    public List<Comparison> comparisons() {
        return comparisons;
    }

    public Variant baseline() {
        return baseline;
    }

    /** The variant with the highest mean test accuracy. */
    public VariantStats best() {
        return variants.stream().max((a, b) -> Double.compare(a.testAccuracy().mean(), b.testAccuracy().mean())).orElseThrow();
    }

    public VariantStats runnerUp() {
        VariantStats best = best();
        return variants.stream().filter(v -> v != best).max((a, b) -> Double.compare(a.testAccuracy().mean(), b.testAccuracy().mean()))
                .orElse(null);
    }

    public Comparison comparison(Variant v) {
        return comparisons.stream().filter(c -> c.variant().id().equals(v.id())).findFirst().orElse(null);
    }

    public VariantStats stats(Variant v) {
        return variants.stream().filter(s -> s.variant().id().equals(v.id())).findFirst().orElse(null);
    }
}
