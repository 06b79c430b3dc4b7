package io.cnn4j.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes {@code index.html} (self-contained: charts embedded as base64 PNG data URIs, so it opens
 * offline) and {@code report.md} (charts as PNG files beside it) for a finished study.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    static String pts(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    static String signedPts(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%+.2f", 100 * v);
    }

    static String p(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return v < 0.001 ? String.format(Locale.ROOT, "%.1e", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    static String ci(Stats.Summary s) {
        return Double.isNaN(s.ciLow()) ? "– (one seed)" : pct(s.ciLow()) + " – " + pct(s.ciHigh());
    }

    /** The answer in plain words with the numbers: best variant and its margin, and whether it is significant. */
    public static String opening(StudyConfig config, Analysis a, StudyData data) {
        Analysis.VariantStats best = a.best();
        Analysis.VariantStats second = a.runnerUp();
        StringBuilder sb = new StringBuilder();
        int epochs = config.training().epochs();
        sb.append(String.format(Locale.ROOT, "On %s (%d training and %d test images, %d seed%s × %d epoch%s per variant), the best placement was %s "
                        + "with a mean test accuracy of %s (95%% CI %s; %s)",
                config.data().name(), data.train().size(), data.test().size(), best.seeds(), best.seeds() == 1 ? "" : "s", epochs,
                epochs == 1 ? "" : "s", best.variant().name(), pct(best.testAccuracy().mean()), ci(best.testAccuracy()),
                a.selection() == Selection.BEST ? "test accuracy at each trial's best validation epoch" : "test accuracy after the last epoch"));
        if (second != null && best.testAccuracy().mean() - second.testAccuracy().mean() < 1e-12) {
            sb.append(String.format(Locale.ROOT, ", a margin of 0.00 points: it is tied with %s (%s), so this run does not rank them.",
                    second.variant().name(), pct(second.testAccuracy().mean())));
        } else if (second != null) {
            sb.append(String.format(Locale.ROOT, ", a margin of %s points over the next best, %s (%s).", pts(best.testAccuracy().mean()
                    - second.testAccuracy().mean()), second.variant().name(), pct(second.testAccuracy().mean())));
        } else {
            sb.append('.');
        }
        Analysis.Comparison c = a.comparison(best.variant());
        if (a.baseline() != null && best.variant().id().equals(a.baseline().id())) {
            sb.append(a.baseline().dropout().equals("dropout") && a.baseline().position().equals("after")
                    ? " That is the baseline itself: element-wise dropout after the pool, the Keras example's placement."
                    : " That is the baseline itself.");
            Analysis.VariantStats other = second;
            Analysis.Comparison oc = other == null ? null : a.comparison(other.variant());
            if (oc != null) {
                sb.append(' ').append(verdict(oc, other.variant(), a.baseline(), true));
            }
        } else if (c != null) {
            sb.append(String.format(Locale.ROOT, " Against the baseline (%s, the Keras example's placement) the paired difference is %s points "
                            + "(95%% CI %s to %s; paired t-test p = %s, Holm-adjusted %s; Wilcoxon p = %s).",
                    a.baseline().name(), signedPts(c.paired().meanDiff()), signedPts(c.paired().ciLow()), signedPts(c.paired().ciHigh()),
                    p(c.paired().tP()), p(c.holmT()), p(c.paired().wilcoxon().p())));
            sb.append(' ').append(verdict(c, best.variant(), a.baseline(), false));
        }
        // the literal question: element-wise dropout before vs after the pool, same nominal rate
        if (a.baseline() != null && a.baseline().dropout().equals("dropout")) {
            Variant before = Variant.nominal(a.baseline().pooling(), "dropout", "before", a.baseline().rate());
            Analysis.Comparison bc = a.comparison(before);
            Analysis.VariantStats bs = a.stats(before), as = a.stats(a.baseline());
            if (bc != null && bs != null && as != null && !before.id().equals(best.variant().id())) {
                sb.append(String.format(Locale.ROOT, " Before vs after, element-wise at p = %s with %s pooling: %s before vs %s after "
                                + "(paired difference %s points, Holm-adjusted p = %s).", Variant.fmt(a.baseline().rate()),
                        a.baseline().pooling(), pct(bs.testAccuracy().mean()), pct(as.testAccuracy().mean()), signedPts(bc.paired().meanDiff()),
                        p(bc.holmT())));
            }
        }
        return sb.toString();
    }

    static String verdict(Analysis.Comparison c, Variant v, Variant baseline, boolean vsRunnerUp) {
        Stats.Paired pr = c.paired();
        if (pr.n() < 2) {
            return "With " + pr.n() + " paired seed, no test is possible; run more seeds (--seeds) before drawing a conclusion.";
        }
        String m = "±" + Analysis.points(pr.tost() == null ? Analysis.DEFAULT_MARGIN : pr.tost().margin());
        return switch (c.verdict()) {
            case BETTER, WORSE -> String.format(Locale.ROOT, "Verdict: %s is %s than %s (Holm-adjusted t-test p = %s over %d seeds).",
                    v.name(), c.verdict() == Verdict.BETTER ? "better" : "worse", baseline.name(), p(c.holmT()), pr.n());
            case EQUIVALENT -> String.format(Locale.ROOT, "Verdict: %s and %s are equivalent within %s points (Holm-adjusted TOST p = %s "
                    + "over %d seeds).", v.name(), baseline.name(), m, p(c.holmTost()), pr.n());
            case INCONCLUSIVE -> String.format(Locale.ROOT, "Verdict: inconclusive — %d seeds show neither a difference between %s and %s "
                    + "(Holm p = %s) nor equivalence within %s points (Holm TOST p = %s); the study could detect %s points with 80%% "
                    + "power.", pr.n(), v.name(), baseline.name(), p(c.holmT()), m, p(c.holmTost()), pts(pr.mdd80()));
        };
    }

    /** Returns {index.html, report.md}. */
    public static Path[] write(Path dir, StudyConfig config, BaseModel base, StudyData data, Analysis a, Mechanisms.Report mech,
                               List<TrialResult> results, String timing, String backendUsed) {
        return write(dir, config, base, data, a, mech, results, timing, backendUsed, List.of());
    }

    /**
     * A section contributed by another check (e.g. {@link VarianceShift}): blocks as in {@link Sections},
     * inserted before "Method", with its charts and their captions.
     */
    record Part(List<Object[]> blocks, Map<String, byte[]> charts, Map<String, String> captions) {
    }

    /** {@link #write} with extra sections, each placed before the "Method" section. */
    public static Path[] write(Path dir, StudyConfig config, BaseModel base, StudyData data, Analysis a, Mechanisms.Report mech,
                               List<TrialResult> results, String timing, String backendUsed, List<Part> parts) {
        Map<String, byte[]> charts = new LinkedHashMap<>();
        charts.put("accuracy.png", Charts.summary("Test accuracy per variant (mean and 95% CI over seeds)", "test accuracy (%)", a.variants(), false));
        charts.put("curves.png", Charts.curves(a.variants()));
        charts.put("gap.png", Charts.summary("Generalisation gap per variant: train − test accuracy (mean and 95% CI)", "gap (points)", a.variants(), true));
        charts.put("forest.png", Charts.forest(a));
        charts.put("val-loss.png", Charts.valLoss(a.variants()));
        if (a.variants().stream().map(v -> v.variant().nominalRate()).filter(r -> r > 0).distinct().count() > 1) {
            charts.put("rates.png", Charts.rates(a.variants()));
        }
        charts.put("zero-rate.png", Charts.zeroRates(mech.zeroRates()));
        charts.put("moments.png", Charts.moments(mech.moments(), "random"));
        Map<String, String> captions = Map.ofEntries(
                Map.entry("forest.png", "Paired differences against the baseline (variant − baseline, accuracy points): mean and 95% CI per "
                        + "comparison; the band is the equivalence margin ±" + Analysis.points(a.margin()) + " points."),
                Map.entry("val-loss.png", "Mean validation loss per epoch and variant; the marker is where each mean curve bottoms out "
                        + "(past it, the model overfits)."),
                Map.entry("rates.png", "Mean test accuracy against the nominal dropout rate, one line per placement."),
                Map.entry("accuracy.png", "Test accuracy per variant: mean over seeds, bars are 95% t confidence intervals."),
                Map.entry("curves.png", "Mean learning curves per variant."),
                Map.entry("gap.png", "Generalisation gap (accuracy on training images in inference mode minus test accuracy)."),
                Map.entry("zero-rate.png", "Mechanism (b): fraction of pooled units that element-wise dropout zeroes, measured vs theory."),
                Map.entry("moments.png", "Mechanism (c): mean and variance of pooled activations under each placement, relative to no dropout (random positive inputs)."));
        captions = new LinkedHashMap<>(captions);
        for (Part part : parts) {
            charts.putAll(part.charts());
            captions.putAll(part.captions());
        }
        List<Object[]> perPooling = perPooling(dir, a, results, charts, captions);
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> e : charts.entrySet()) {
                writeAtomically(dir.resolve(e.getKey()), e.getValue());
            }
            String opening = opening(config, a, data);
            Sections s = sections(config, base, data, a, mech, results, timing, backendUsed);
            s = insertBefore(s, "Why: mechanism checks", perPooling);
            s = withParts(s, parts);
            Path html = dir.resolve("index.html");
            writeAtomically(html, html(config, opening, s, charts, captions).getBytes(StandardCharsets.UTF_8));
            Path md = dir.resolve("report.md");
            writeAtomically(md, markdown(config, opening, headlineRegion(dir, a, results), s, charts, captions).getBytes(StandardCharsets.UTF_8));
            return new Path[]{html, md};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** {@code extra} inserted before the h2 heading {@code title} (at the end when there is none). */
    static Sections insertBefore(Sections s, String title, List<Object[]> extra) {
        if (extra.isEmpty()) {
            return s;
        }
        List<Object[]> blocks = new ArrayList<>(s.blocks());
        int at = blocks.size();
        for (int i = 0; i < blocks.size(); i++) {
            if ("h2".equals(blocks.get(i)[0]) && title.equals(blocks.get(i)[1])) {
                at = i;
                break;
            }
        }
        blocks.addAll(at, extra);
        return new Sections(blocks);
    }

    /**
     * "Before or after?" asked within each pooling type: when the study ran several pooling types and
     * the baseline's placement ran with each, every pooling type's variants against that pooling
     * type's own baseline placement, Holm across that pooling type's comparisons only. In report.md
     * each table is a generated region ({@link Headline}, {@code pooling=}) that can be checked
     * against results.jsonl; adds a forest chart per pooling type. Empty otherwise.
     */
    static List<Object[]> perPooling(Path dir, Analysis a, List<TrialResult> results, Map<String, byte[]> charts,
                                     Map<String, String> captions) {
        List<Object[]> b = new ArrayList<>();
        if (a.baseline() == null || a.baseline().dropout().equals("none") || results.isEmpty()) {
            return b;
        }
        List<String> poolings = a.variants().stream().map(v -> v.variant().pooling()).distinct().toList();
        if (poolings.size() < 2) {
            return b;
        }
        String spec = Headline.baselineSpec(a.baseline());
        String placement = spec.substring(spec.indexOf(':'));
        for (String pooling : poolings) {
            Variant base = Headline.parseBaseline(pooling + placement);
            List<Variant> order = a.variants().stream().map(Analysis.VariantStats::variant).filter(v -> v.pooling().equals(pooling)).toList();
            if (order.stream().noneMatch(v -> v.id().equals(base.id())) || order.size() < 2) {
                continue;
            }
            List<TrialResult> mine = results.stream().filter(r -> r.trial().variant().pooling().equals(pooling)).toList();
            Analysis within = new Analysis(order, base, mine, a.margin(), a.selection());
            if (b.isEmpty()) {
                b.add(new Object[]{"h2", "Before or after, within each pooling type"});
                b.add(new Object[]{"p", "The table above compares every variant with one baseline (" + a.baseline().name() + ") and "
                        + "corrects across all of the study's comparisons. Here each pooling type's variants are compared with the "
                        + "same placement under that pooling type, which asks the placement question within max pooling and within "
                        + "average pooling; Holm's correction runs across that pooling type's comparisons only. It is a second reading "
                        + "of the same trials, with the same tests, margin and model selection."});
            }
            String name = "max".equals(pooling) ? "Max pooling" : "avg".equals(pooling) ? "Average pooling" : pooling + " pooling";
            b.add(new Object[]{"h3", name + " (baseline " + base.name() + ")"});
            String region = "";
            if (Files.exists(dir.resolve("results.jsonl"))) {
                Headline.Params p = new Headline.Params("results.jsonl", Headline.baselineSpec(base), a.margin(), a.selection(), pooling);
                region = p.marker() + "\n" + Headline.render(p, dir) + "<!-- answer:end -->\n\n";
            }
            b.add(new Object[]{"region", region, Headline.table(within)});
            String chart = "forest-" + pooling + ".png";
            charts.put(chart, Charts.forest(within));
            captions.put(chart, name + ": paired differences against " + base.name() + " (variant − baseline, accuracy points), mean "
                    + "and 95% CI; the band is the equivalence margin ±" + Analysis.points(a.margin()) + " points.");
            b.add(new Object[]{"img", chart});
        }
        return b;
    }

    /** The parts' blocks inserted before the "Method" heading (at the end when there is none). */
    static Sections withParts(Sections s, List<Part> parts) {
        if (parts.isEmpty()) {
            return s;
        }
        List<Object[]> blocks = new ArrayList<>(s.blocks());
        int at = blocks.size();
        for (int i = 0; i < blocks.size(); i++) {
            if ("h2".equals(blocks.get(i)[0]) && "Method".equals(blocks.get(i)[1])) {
                at = i;
                break;
            }
        }
        List<Object[]> extra = new ArrayList<>();
        parts.forEach(p -> extra.addAll(p.blocks()));
        blocks.addAll(at, extra);
        return new Sections(blocks);
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A table: header and rows of cells. */
    record Table(List<String> header, List<List<String>> rows) {
    }

    /** The report body as titled blocks of paragraphs and tables (rendered to HTML and Markdown). */
    record Sections(List<Object[]> blocks) {
    }

    private static Sections sections(StudyConfig config, BaseModel base, StudyData data, Analysis a, Mechanisms.Report mech,
                                     List<TrialResult> results, String timing, String backendUsed) {
        List<Object[]> b = new ArrayList<>();
        // results
        List<List<String>> rows = new ArrayList<>();
        for (Analysis.VariantStats s : a.variants()) {
            rows.add(List.of(s.variant().name() + (a.baseline() != null && s.variant().id().equals(a.baseline().id()) ? " (baseline)" : ""),
                    Integer.toString(s.seeds()), pct(s.testAccuracy().mean()) + " ± " + pts(s.testAccuracy().sd()), ci(s.testAccuracy()),
                    pct(s.lastAccuracy().mean()), pct(s.bestAccuracy().mean()),
                    signedPts(s.gap().mean()) + (Double.isNaN(s.gap().ciLow()) ? "" : " (" + signedPts(s.gap().ciLow()) + " to " + signedPts(s.gap().ciHigh()) + ")"),
                    String.format(Locale.ROOT, "%.1f", s.meanBestEpoch() + 1), String.format(Locale.ROOT, "%.0f s", s.meanSeconds())));
        }
        b.add(new Object[]{"h2", "Results per variant"});
        b.add(new Object[]{"p", "Model selection: the answer uses the test accuracy at the " + a.selection().description()
                + (a.selection() == Selection.BEST ? " of each trial (the epoch with the lowest validation loss: the weights Keras' "
                + "EarlyStopping(monitor=\"val_loss\", restore_best_weights=True) restores)" : " of each trial")
                + ". Both rules are shown; the gap is measured after the last epoch."});
        b.add(new Object[]{"table", new Table(List.of("variant", "seeds", "test accuracy (mean ± sd)", "95% CI", "last epoch (mean)",
                "best validation epoch (mean)", "gap train − test, points (95% CI)", "best epoch (mean, 1-based)", "time per trial"), rows)});
        b.add(new Object[]{"img", "accuracy.png"});
        // comparisons
        b.add(new Object[]{"h2", "Paired comparisons against the baseline" + (a.baseline() == null ? "" : " (" + a.baseline().name() + ")")});
        b.add(new Object[]{"p", "Each seed trains every variant from the same initial weights on the same batches, so differences are "
                + "paired by seed. Differences are variant − baseline in accuracy points; p-values are two-sided; Holm's correction "
                + "is applied across all comparisons of the study (separately for the t-test, the Wilcoxon test and the equivalence "
                + "test). Equivalence: two one-sided t-tests (TOST) against the margin ±" + Analysis.points(a.margin()) + " points. "
                + "Verdict at α = 0.05: \"better\"/\"worse\" when the Holm-adjusted t-test rejects no difference (sign of the mean); "
                + "otherwise \"equivalent\" when the Holm-adjusted TOST rejects a difference of ±" + Analysis.points(a.margin())
                + " or more; otherwise \"inconclusive\". \"Detectable\" is the difference a two-sided paired t-test at α = 0.05 "
                + "would detect with 80% power given the observed sd of the differences: (t(0.975) + t(0.8)) · sd/√n."});
        List<List<String>> crow = new ArrayList<>();
        List<String> sentences = new ArrayList<>();
        for (Analysis.Comparison c : a.comparisons()) {
            Stats.Paired pr = c.paired();
            crow.add(List.of(c.variant().name(), Integer.toString(pr.n()), signedPts(pr.meanDiff()),
                    signedPts(pr.ciLow()) + " to " + signedPts(pr.ciHigh()), pts(pr.sd()), p(pr.tP()), p(c.holmT()),
                    p(pr.wilcoxon().p()) + (pr.wilcoxon().exact() ? " (exact)" : " (normal)"), p(c.holmWilcoxon()),
                    pr.tost() == null ? "–" : p(pr.tost().p()), p(c.holmTost()), pts(pr.mdd80()),
                    pr.n() < 2 ? "inconclusive (needs ≥ 2 seeds)" : c.verdict().label(a.margin())));
            if (pr.n() >= 2 && c.verdict() == Verdict.INCONCLUSIVE) {
                sentences.add(String.format(Locale.ROOT, "%s vs %s: %s points (95%% CI %s to %s), detectable at 80%% power: %s points.",
                        c.variant().name(), a.baseline().name(), signedPts(pr.meanDiff()), signedPts(pr.ciLow()), signedPts(pr.ciHigh()),
                        pts(pr.mdd80())));
            }
        }
        b.add(new Object[]{"table", new Table(List.of("variant", "paired seeds", "mean difference (points)", "95% CI", "sd of differences",
                "t-test p", "Holm p", "Wilcoxon p", "Holm p (Wilcoxon)", "TOST p", "Holm p (TOST)", "detectable at 80% power", "verdict"), crow)});
        b.add(new Object[]{"img", "forest.png"});
        if (!sentences.isEmpty()) {
            b.add(new Object[]{"p", "Inconclusive — neither a difference nor equivalence within ±" + Analysis.points(a.margin())
                    + " points is shown at this number of seeds: " + String.join(" ", sentences)});
        }
        String identical = spatialIdentity(results);
        if (identical != null) {
            b.add(new Object[]{"p", identical});
        }
        String covered = spatialCoveredByIdentity(a);
        if (covered != null) {
            b.add(new Object[]{"p", covered});
        }
        b.add(new Object[]{"img", "gap.png"});
        b.add(new Object[]{"img", "curves.png"});
        b.add(new Object[]{"img", "val-loss.png"});
        if (a.variants().stream().map(v -> v.variant().nominalRate()).filter(r -> r > 0).distinct().count() > 1) {
            b.add(new Object[]{"img", "rates.png"});
        }
        // mechanisms
        b.add(new Object[]{"h2", "Why: mechanism checks"});
        b.add(new Object[]{"p", "Measured on strictly positive random activations and, where available, on the inputs of each pooling layer of "
                + "seed 0's trained model (no-dropout variant) for " + Math.min(Study.MECHANISM_SAMPLES, data.test().size())
                + " test images, at the study's rate p = " + config.rate() + "."});
        b.add(new Object[]{"h3", "(a) Spatial dropout commutes with pooling"});
        List<List<String>> arows = new ArrayList<>();
        for (Mechanisms.Commutation c : mech.commutation()) {
            arows.add(List.of(c.source(), c.pooling(), c.k() + "×" + c.k(), String.format(Locale.ROOT, "%.3g", c.maxAbsDiff()),
                    String.format(Locale.ROOT, "%.3g", c.maxAbs())));
        }
        b.add(new Object[]{"table", new Table(List.of("inputs", "pooling", "window", "max |pool(m⊙x) − m⊙pool(x)|", "max |pool(x)|"), arows)});
        b.add(new Object[]{"p", "The channel mask is constant over each window, so max(m·x) = m·max(x) exactly and averaging is linear "
                + "(differences for average pooling are float rounding only). SpatialDropout2D before or after a pool is the same "
                + "computation; after the pool it touches k² times fewer values."});
        b.add(new Object[]{"h3", "(b) Element-wise dropout before a max pool rarely zeroes a pooled unit"});
        List<List<String>> zrows = new ArrayList<>();
        for (Mechanisms.ZeroRate z : mech.zeroRates()) {
            zrows.add(List.of(z.source(), z.k() + "×" + z.k(), Long.toString(z.units()), String.format(Locale.ROOT, "%.4f", z.measuredBefore()),
                    String.format(Locale.ROOT, "%.4f ± %.4f", z.theoryBefore(), z.bound()), String.format(Locale.ROOT, "%.4f", z.pK2()),
                    String.format(Locale.ROOT, "%.4f", z.measuredAfter()), String.format(Locale.ROOT, "%.4f", z.rate())));
        }
        b.add(new Object[]{"table", new Table(List.of("inputs", "window", "pooled units × draws", "zeroed, dropout before (measured)",
                "theory mean p^m (4σ bound)", "p^(k²)", "zeroed, dropout after (measured)", "theory p"), zrows)});
        b.add(new Object[]{"p", "Before the pool a unit is zero only if all m non-zero inputs of its window drop (p^m, p^(k²) when all are "
                + "active); after the pool it is zero with probability p. Equal nominal rates are therefore not equal strength; the "
                + "matched rate p_before = p_after^(1/k²) equalises the pooled zero rate."});
        b.add(new Object[]{"img", "zero-rate.png"});
        b.add(new Object[]{"h3", "(c) Mean and variance of pooled activations"});
        List<List<String>> mrows = new ArrayList<>();
        for (Mechanisms.Moments m : mech.moments()) {
            mrows.add(List.of(m.source(), m.pooling(), m.placement(), String.format(Locale.ROOT, "%.4f", m.mean()),
                    String.format(Locale.ROOT, "%.4f", m.variance()), String.format(Locale.ROOT, "%.3f", m.meanRatio()),
                    String.format(Locale.ROOT, "%.3f", m.varianceRatio())));
        }
        b.add(new Object[]{"table", new Table(List.of("inputs", "pooling", "placement", "mean", "variance", "mean / no dropout",
                "variance / no dropout"), mrows)});
        b.add(new Object[]{"p", "Inverted dropout keeps the mean after a pool and for average pooling. Before a max pool the maximum picks the "
                + "largest surviving input scaled by 1/(1−p), so training sees larger pooled values than inference (1.875× for equal "
                + "inputs at p = 0.5, 2×2): a train/inference mismatch that Wu & Gu (2015) correct with probabilistic weighted pooling."});
        b.add(new Object[]{"img", "moments.png"});
        // method
        b.add(new Object[]{"h2", "Method"});
        double minHw = a.variants().stream().mapToDouble(s -> s.testAccuracy().halfWidth()).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN);
        double maxHw = a.variants().stream().mapToDouble(s -> s.testAccuracy().halfWidth()).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
        int seeds = a.variants().stream().mapToInt(Analysis.VariantStats::seeds).max().orElse(0);
        b.add(new Object[]{"p", String.format(Locale.ROOT, "Base model: %s. Around every pooling layer the base model's own dropout is removed "
                        + "and the variant's dropout is placed before or after the pool; other dropout (dense layers) is kept. "
                        + "Training: %s, categorical cross-entropy, batch %d, %d epochs%s; validation: %d images held out from the "
                        + "training set; test: %d images. Seeds: %d per variant (0..%d), paired across variants. "
                        + "95%% CI half-widths of the mean test accuracy: %s to %s points. %s",
                base.describe(), ResultsFile.optimizerDescription(config.training()), config.training().batchSize(), config.training().epochs(),
                config.training().patience() == null ? " (no early stopping; best epoch by validation loss)"
                        : " (early stopping: patience " + config.training().patience() + " epochs on validation loss)",
                data.validation() == null ? 0 : data.validation().size(), data.test().size(), seeds, seeds - 1, pts(minHw), pts(maxHw), timing)});
        b.add(new Object[]{"h2", "Reproduce"});
        b.add(new Object[]{"code", config.command()});
        Map<String, String> versions = Provenance.versions();
        List<List<String>> vrows = new ArrayList<>();
        versions.forEach((k, v) -> vrows.add(List.of(k, v)));
        String backend = results.isEmpty() ? "–" : Objects.toString(results.get(0).trial().backend(), "default (best available)");
        vrows.add(List.of("GEMM backend requested", backend));
        vrows.add(List.of("GEMM backend used", backendUsed));
        vrows.add(List.of("threads", Integer.toString(config.threads())));
        vrows.add(List.of("study id", results.isEmpty() ? config.studyId() : results.get(0).trial().studyId()));
        vrows.add(List.of("results file", "results.jsonl (one JSON line per epoch and per finished trial, with full spec and provenance)"));
        b.add(new Object[]{"table", new Table(List.of("what", "value"), vrows)});
        b.add(new Object[]{"h2", "References"});
        b.add(new Object[]{"ul", List.of(
                "Srivastava et al. 2014, Dropout: a simple way to prevent neural networks from overfitting, JMLR 15.",
                "Tompson et al. 2015, Efficient object localization using convolutional networks (SpatialDropout), arXiv 1411.4280.",
                "Wu & Gu 2015, Towards dropout training for convolutional neural networks (max-pooling dropout, probabilistic weighted pooling), arXiv 1512.00242.",
                "Ghiasi et al. 2018, DropBlock: a regularization method for convolutional networks, arXiv 1810.12890.")});
        return new Sections(b);
    }

    /**
     * When spatial dropout ran on one side of the pool only (the answer preset runs it after): the
     * other side is the same computation with the same mask, so it is covered by mechanism check (a).
     */
    static String spatialCoveredByIdentity(Analysis a) {
        List<String> sides = a.variants().stream().map(Analysis.VariantStats::variant).filter(v -> v.dropout().equals("spatial"))
                .map(Variant::position).distinct().toList();
        if (sides.size() != 1) {
            return null;
        }
        String ran = sides.get(0), other = ran.equals("after") ? "before" : "after";
        return "Spatial dropout " + other + " the pool was not run: it draws the same channel mask as spatial dropout " + ran
                + " the pool, and a channel mask commutes with pooling (check (a) below), so it is the same computation and its "
                + "numbers are those of the " + ran + "-pool variant up to float rounding.";
    }

    /** When spatial before and after ran on the same seeds, how far apart their test accuracies are (0 for max pooling by construction). */
    static String spatialIdentity(List<TrialResult> results) {
        Map<String, Double> before = new LinkedHashMap<>(), after = new LinkedHashMap<>();
        for (TrialResult r : results) {
            Variant v = r.trial().variant();
            if (v.dropout().equals("spatial")) {
                String key = v.pooling() + "/" + v.rate() + "/" + r.trial().seed();
                (v.position().equals("before") ? before : after).put(key, r.testAccuracy());
            }
        }
        double maxDiff = -1;
        int pairs = 0;
        for (Map.Entry<String, Double> e : before.entrySet()) {
            Double o = after.get(e.getKey());
            if (o != null) {
                maxDiff = Math.max(maxDiff, Math.abs(o - e.getValue()));
                pairs++;
            }
        }
        if (pairs == 0) {
            return null;
        }
        if (maxDiff == 0) {
            return String.format(Locale.ROOT, "Spatial dropout before vs after the pool gave identical test accuracy in all %d same-seed "
                    + "pairs: both draw the same channel mask, and a channel mask commutes with pooling (check (a)), so they are the "
                    + "same computation.", pairs);
        }
        return String.format(Locale.ROOT, "Spatial dropout before vs after the pool, same seed: the test accuracies differ by up to %s points "
                + "over %d pairs, although both draw the same channel mask and compute the same function (check (a)). In exact arithmetic "
                + "they are identical, so the difference can only be float rounding: scaling by 1/(1−p) can make two inputs of a window equal, the backward pass may then route a "
                + "gradient to another input, and training amplifies it. Read %s points as the noise floor of a single comparison here.",
                pts(maxDiff), pairs, pts(maxDiff));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String html(StudyConfig config, String opening, Sections s, Map<String, byte[]> charts, Map<String, String> captions) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Dropout before or after pooling? — ")
                .append(esc(config.data().name())).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:0.9em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}\n")
                .append("th{background:#f3f3f3}#answer{font-size:1.1em;background:#f5f9ff;border-left:4px solid #3a6ea5;padding:0.8em 1em}\n")
                .append("img{max-width:100%;border:1px solid #eee}figure{margin:1em 0}code,pre{background:#f6f6f6;padding:2px 4px}\n")
                .append("</style>\n<script>\nfunction cnn4jCheckCharts(){var imgs=Array.prototype.slice.call(document.images);")
                .append("var ok=imgs.length>0&&imgs.every(function(i){return i.complete&&i.naturalWidth>0;});")
                .append("document.body.setAttribute('data-charts',ok?'loaded':'broken');document.body.setAttribute('data-chart-count',''+imgs.length);}\n")
                .append("window.addEventListener('load',cnn4jCheckCharts);\n</script>\n</head><body data-charts=\"pending\">\n");
        h.append("<h1>Dropout before or after pooling?</h1>\n<p id=\"answer\">").append(esc(opening)).append("</p>\n");
        for (Object[] blk : s.blocks()) {
            switch ((String) blk[0]) {
                case "h2" -> h.append("<h2>").append(esc((String) blk[1])).append("</h2>\n");
                case "h3" -> h.append("<h3>").append(esc((String) blk[1])).append("</h3>\n");
                case "p" -> h.append("<p>").append(esc((String) blk[1])).append("</p>\n");
                case "code" -> h.append("<pre><code>").append(esc((String) blk[1])).append("</code></pre>\n");
                case "ul" -> {
                    h.append("<ul>\n");
                    for (Object o : (List<?>) blk[1]) {
                        h.append("<li>").append(esc(o.toString())).append("</li>\n");
                    }
                    h.append("</ul>\n");
                }
                case "img" -> {
                    String name = (String) blk[1];
                    h.append("<figure><img alt=\"").append(esc(captions.get(name))).append("\" src=\"data:image/png;base64,")
                            .append(Base64.getEncoder().encodeToString(charts.get(name))).append("\"><figcaption>")
                            .append(esc(captions.get(name))).append("</figcaption></figure>\n");
                }
                case "region" -> appendHtmlTable(h, (Table) blk[2]);
                case "table" -> appendHtmlTable(h, (Table) blk[1]);
                default -> throw new IllegalStateException("unknown block " + blk[0]);
            }
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void appendHtmlTable(StringBuilder h, Table t) {
        h.append("<table><thead><tr>");
        for (String c : t.header()) {
            h.append("<th>").append(esc(c)).append("</th>");
        }
        h.append("</tr></thead><tbody>\n");
        for (List<String> r : t.rows()) {
            h.append("<tr>");
            for (String c : r) {
                h.append("<td>").append(esc(c)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    /**
     * Text as literal Markdown: every character that could start markup (emphasis, links, images,
     * HTML tags, entities, code, table cells) is backslash-escaped, so that a user-supplied string
     * such as a --model path is shown as written, never interpreted (index.html HTML-escapes the same).
     */
    static String md(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ("\\`*_[]<>|~&!#".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c == '\n' || c == '\r' ? ' ' : c);
        }
        return b.toString();
    }

    /** A fenced code block whose fence is longer than any backtick run inside, so the content cannot close it. */
    static String mdCode(String s) {
        int longest = 0, run = 0;
        for (int i = 0; i < s.length(); i++) {
            run = s.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(Math.max(3, longest + 1));
        return fence + "\n" + s + "\n" + fence;
    }

    /** The generated headline block of report.md (empty without results or baseline), read back from results.jsonl beside it. */
    static String headlineRegion(Path dir, Analysis a, List<TrialResult> results) {
        if (results.isEmpty() || a.baseline() == null || !Files.exists(dir.resolve("results.jsonl"))) {
            return "";
        }
        Headline.Params p = new Headline.Params("results.jsonl", Headline.baselineSpec(a.baseline()), a.margin(), a.selection());
        return p.marker() + "\n" + Headline.render(p, dir) + "<!-- answer:end -->\n\n";
    }

    private static String markdown(StudyConfig config, String opening, String headline, Sections s, Map<String, byte[]> charts,
                                   Map<String, String> captions) {
        StringBuilder m = new StringBuilder("# Dropout before or after pooling?\n\n").append(md(opening)).append("\n\n").append(headline);
        for (Object[] blk : s.blocks()) {
            switch ((String) blk[0]) {
                case "h2" -> m.append("## ").append(md((String) blk[1])).append("\n\n");
                case "h3" -> m.append("### ").append(md((String) blk[1])).append("\n\n");
                case "p" -> m.append(md((String) blk[1])).append("\n\n");
                case "code" -> m.append(mdCode((String) blk[1])).append("\n\n");
                case "ul" -> {
                    for (Object o : (List<?>) blk[1]) {
                        m.append("- ").append(md(String.valueOf(o))).append('\n');
                    }
                    m.append('\n');
                }
                case "img" -> m.append("![").append(captions.get((String) blk[1])).append("](").append(blk[1]).append(")\n\n");
                case "region" -> {
                    String region = (String) blk[1];
                    if (region.isEmpty()) {
                        Table t = (Table) blk[2];
                        m.append("| ").append(String.join(" | ", t.header())).append(" |\n|").append(" --- |".repeat(t.header().size())).append('\n');
                        t.rows().forEach(r -> m.append("| ").append(String.join(" | ", r)).append(" |\n"));
                        m.append('\n');
                    } else {
                        m.append(region);
                    }
                }
                case "table" -> {
                    Table t = (Table) blk[1];
                    m.append("| ").append(String.join(" | ", t.header().stream().map(ReportWriter::md).toList())).append(" |\n|");
                    m.append(" --- |".repeat(t.header().size())).append('\n');
                    for (List<String> r : t.rows()) {
                        m.append("| ").append(String.join(" | ", r.stream().map(ReportWriter::md).toList())).append(" |\n");
                    }
                    m.append('\n');
                }
                default -> throw new IllegalStateException("unknown block " + blk[0]);
            }
        }
        return m.toString();
    }
}
