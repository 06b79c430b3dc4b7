package io.cnn4j.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Per-variant statistics and paired comparisons against the baseline, from finished trials. */
public final class Analysis {
    /** Statistics of one variant over its seeds; curves are per-epoch means over seeds. */
    public record VariantStats(Variant variant, int seeds, Stats.Summary testAccuracy, Stats.Summary gap, double meanBestEpoch,
                               double[] meanTrainLoss, double[] meanValLoss, double[] meanTrainAccuracy, double[] meanValAccuracy,
                               double meanSeconds) {
    }

    /** A variant against the baseline on the seeds both finished; Holm-adjusted p-values across all comparisons. */
    public record Comparison(Variant variant, Stats.Paired paired, double holmT, double holmWilcoxon) {
        public boolean significant() {
            return holmT < 0.05;
        }
    }

    private final List<VariantStats> variants = new ArrayList<>();
    private final List<Comparison> comparisons = new ArrayList<>();
    private final Variant baseline;

    public Analysis(List<Variant> order, Variant baseline, List<TrialResult> results) {
        this.baseline = baseline;
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
            variants.add(stats(variantById.get(e.getKey()), rs));
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
                        b.add(br.testAccuracy());
                        v.add(s.getValue().testAccuracy());
                    }
                }
                if (b.isEmpty()) {
                    continue;
                }
                others.add(variantById.get(e.getKey()));
                paired.add(Stats.paired(b.stream().mapToDouble(Double::doubleValue).toArray(), v.stream().mapToDouble(Double::doubleValue).toArray()));
            }
            double[] holmT = Stats.holm(paired.stream().mapToDouble(Stats.Paired::tP).toArray());
            double[] holmW = Stats.holm(paired.stream().mapToDouble(p -> p.wilcoxon().p()).toArray());
            for (int i = 0; i < others.size(); i++) {
                comparisons.add(new Comparison(others.get(i), paired.get(i), holmT[i], holmW[i]));
            }
        }
    }

    private static VariantStats stats(Variant v, List<TrialResult> rs) {
        double[] acc = rs.stream().mapToDouble(TrialResult::testAccuracy).toArray();
        double[] gap = rs.stream().mapToDouble(TrialResult::gap).toArray();
        double bestEpoch = rs.stream().mapToDouble(TrialResult::bestEpoch).average().orElse(Double.NaN);
        int epochs = rs.stream().mapToInt(r -> r.epochs().size()).min().orElse(0);
        double[][] curves = new double[4][epochs];
        for (TrialResult r : rs) {
            for (int e = 0; e < epochs; e++) {
                EpochRecord er = r.epochs().get(e);
                curves[0][e] += er.loss() / rs.size();
                curves[1][e] += er.valLoss() / rs.size();
                curves[2][e] += er.accuracy() / rs.size();
                curves[3][e] += er.valAccuracy() / rs.size();
            }
        }
        double secs = rs.stream().mapToDouble(TrialResult::seconds).average().orElse(Double.NaN);
        return new VariantStats(v, rs.size(), Stats.summarize(acc), Stats.summarize(gap), bestEpoch, curves[0], curves[1], curves[2],
                curves[3], secs);
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
