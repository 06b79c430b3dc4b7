package io.cnn4j.study;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The study's headline numbers as a Markdown block between markers, generated from a results file
 * so that documents quoting them (README, report.md) can be checked against it and regenerated:
 * <pre>
 * &lt;!-- answer:begin source=docs/results/x/results.jsonl baseline=max:dropout-after margin=0.3 select=best --&gt;
 * ...generated Markdown...
 * &lt;!-- answer:end --&gt;
 * </pre>
 * The begin marker says where the numbers come from and how they were analysed; {@link #refresh}
 * rewrites every such region of a document from its source. An optional {@code pooling=avg}
 * restricts a region to the variants with that pooling type (the baseline must have it too), so
 * "before or after?" can be answered within each pooling type, with Holm's correction across
 * that pooling type's comparisons only.
 */
public final class Headline {
    static final Pattern REGION = Pattern.compile("<!-- answer:begin ([^>]*?) -->\\n(.*?)<!-- answer:end -->", Pattern.DOTALL);

    private Headline() {
    }

    /** The analysis parameters a marker carries. */
    public record Params(String source, String baseline, double margin, Selection selection, String pooling) {
        /** All pooling types. */
        public Params(String source, String baseline, double margin, Selection selection) {
            this(source, baseline, margin, selection, null);
        }

        public String marker() {
            return String.format(Locale.ROOT, "<!-- answer:begin source=%s baseline=%s margin=%s select=%s%s -->", source, baseline,
                    Analysis.points(margin), selection.optionName(), pooling == null ? "" : " pooling=" + pooling);
        }

        static Params parse(String attributes, String where) {
            Map<String, String> kv = new LinkedHashMap<>();
            for (String part : attributes.trim().split("\\s+")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(where + ": answer:begin marker attribute '" + part + "' is not key=value");
                }
                kv.put(part.substring(0, eq), part.substring(eq + 1));
            }
            for (String k : List.of("source", "baseline", "margin", "select")) {
                if (!kv.containsKey(k)) {
                    throw new IllegalArgumentException(where + ": answer:begin marker lacks " + k + "=");
                }
            }
            for (String k : kv.keySet()) {
                if (!List.of("source", "baseline", "margin", "select", "pooling").contains(k)) {
                    throw new IllegalArgumentException(where + ": answer:begin marker has unknown attribute " + k
                            + "= (known: source, baseline, margin, select, pooling)");
                }
            }
            double margin;
            try {
                margin = Double.parseDouble(kv.get("margin")) / 100;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": answer:begin marker margin=" + kv.get("margin") + " is not a number of points");
            }
            return new Params(kv.get("source"), kv.get("baseline"), margin, Selection.parse(kv.get("select")), kv.get("pooling"));
        }
    }

    /** A generated region found in a document. */
    public record Region(Params params, String body) {
    }

    public static List<Region> regions(String document, String where) {
        List<Region> out = new ArrayList<>();
        Matcher m = REGION.matcher(document);
        while (m.find()) {
            out.add(new Region(Params.parse(m.group(1), where), m.group(2)));
        }
        return out;
    }

    /** Rewrites every region of {@code document}, reading each source relative to {@code root}. */
    public static String refresh(String document, Path root, String where) {
        Matcher m = REGION.matcher(document);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Params p = Params.parse(m.group(1), where);
            m.appendReplacement(sb, Matcher.quoteReplacement(p.marker() + "\n" + render(p, root) + "<!-- answer:end -->"));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** The block body for a marker's parameters, from its results file. */
    public static String render(Params p, Path root) {
        ResultsFile results = new ResultsFile(root.resolve(p.source()));
        Map<String, ResultsFile.TrialLog> logs = results.read();
        if (logs.isEmpty()) {
            throw new IllegalArgumentException("results file " + results.path() + " has no trials");
        }
        String pooling = p.pooling();
        Variant baseline = parseBaseline(p.baseline());
        if (pooling != null && !pooling.equals(baseline.pooling())) {
            throw new IllegalArgumentException("answer region of " + results.path() + ": pooling=" + pooling + " but the baseline "
                    + p.baseline() + " pools with " + baseline.pooling());
        }
        List<ResultsFile.TrialLog> kept = logs.values().stream()
                .filter(l -> pooling == null || pooling.equals(l.trial().variant().pooling())).toList();
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("results file " + results.path() + " has no trials with pooling " + pooling);
        }
        List<TrialResult> finished = ResultsFile.finishedResults(kept);
        List<Variant> order = new ArrayList<>();
        for (ResultsFile.TrialLog l : kept) {
            if (order.stream().noneMatch(v -> v.id().equals(l.trial().variant().id()))) {
                order.add(l.trial().variant());
            }
        }
        Analysis a = new Analysis(order, baseline, finished, p.margin(), p.selection());
        return body(a, kept.get(0).trial(), finished.size(), kept.size(), pooling);
    }

    /** "max:dropout-after:0.25" or "avg:none" (the form of {@link #baselineSpec}). */
    public static Variant parseBaseline(String s) {
        String[] parts = s.toLowerCase(Locale.ROOT).split(":");
        if (parts.length < 2 || parts.length > 3 || (parts.length == 2) != parts[1].equals("none")) {
            throw new IllegalArgumentException("baseline looks like max:dropout-after:0.25 or max:none, got '" + s + "'");
        }
        if (parts[1].equals("none")) {
            return Variant.none(parts[0]);
        }
        String[] dp = parts[1].split("-");
        if (dp.length != 2) {
            throw new IllegalArgumentException("baseline placement must be dropout-before, dropout-after, spatial-before, spatial-after or "
                    + "none; got '" + parts[1] + "'");
        }
        return Variant.nominal(parts[0], dp[0], dp[1], Double.parseDouble(parts[2]));
    }

    /** A nominal-rate standard variant as pooling:dropout-position:rate, or pooling:none. */
    public static String baselineSpec(Variant v) {
        return v.dropout().equals("none") ? v.pooling() + ":none" : v.pooling() + ":" + v.dropout() + "-" + v.position() + ":" + v.rate();
    }

    /** The Markdown body: one sentence of context and the verdict table. */
    public static String body(Analysis a, Trial example, int finished, int trials) {
        return body(a, example, finished, trials, null);
    }

    /** As above, for the variants of one pooling type (null: all). */
    public static String body(Analysis a, Trial example, int finished, int trials, String pooling) {
        StringBuilder sb = new StringBuilder();
        int seeds = a.variants().stream().mapToInt(Analysis.VariantStats::seeds).max().orElse(0);
        if (pooling != null) {
            sb.append(String.format(Locale.ROOT, "%s pooling only. ", "max".equals(pooling) ? "Max" : "avg".equals(pooling) ? "Average" : pooling));
        }
        sb.append(String.format(Locale.ROOT, "%s, %s, %d epochs%s; %d of %d trials finished, up to %d seed(s) per variant. "
                        + "Test accuracy at the %s; best epoch: 1-based, lowest validation loss, mean over seeds; gap: training minus "
                        + "test accuracy after the last epoch (inference mode, points). Differences are variant − baseline (%s) in "
                        + "accuracy points, paired by seed; verdicts at α = 0.05 after Holm's correction across the %d comparison(s), "
                        + "equivalence margin ±%s points.%n%n",
                example.model(), dataDescription(example.data()), example.training().epochs(),
                example.training().patience() == null ? "" : " (patience " + example.training().patience() + ")", finished, trials, seeds,
                a.selection().description(), a.baseline() == null ? "–" : a.baseline().name(), a.comparisons().size(),
                Analysis.points(a.margin())));
        ReportWriter.Table t = table(a);
        sb.append("| ").append(String.join(" | ", t.header())).append(" |\n");
        sb.append("|").append(" --- |".repeat(t.header().size())).append('\n');
        for (List<String> row : t.rows()) {
            sb.append('|');
            for (String cell : row) {
                sb.append(cell.isEmpty() ? " |" : " " + cell + " |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The region's verdict table: one row per variant, the baseline's comparison cells empty. */
    static ReportWriter.Table table(Analysis a) {
        List<List<String>> rows = new ArrayList<>();
        for (Analysis.VariantStats s : a.variants()) {
            Analysis.Comparison c = a.comparison(s.variant());
            boolean isBase = a.baseline() != null && s.variant().id().equals(a.baseline().id());
            List<String> row = new ArrayList<>(List.of(s.variant().name(), Integer.toString(c == null ? s.seeds() : c.paired().n()),
                    ReportWriter.pct(s.testAccuracy().mean()) + " ± " + ReportWriter.pts(s.testAccuracy().sd()),
                    String.format(Locale.ROOT, "%.1f", s.meanBestEpoch() + 1), ReportWriter.signedPts(s.gap().mean())));
            if (c == null) {
                row.addAll(List.of(isBase ? "baseline" : "–", "", "", "", "", ""));
            } else {
                Stats.Paired pr = c.paired();
                row.addAll(List.of(ReportWriter.signedPts(pr.meanDiff()) + " (" + ReportWriter.signedPts(pr.ciLow()) + " to "
                                + ReportWriter.signedPts(pr.ciHigh()) + ")", ReportWriter.pts(pr.sd()), ReportWriter.p(c.holmT()),
                        ReportWriter.p(c.holmTost()), ReportWriter.pts(pr.mdd80()), c.verdict().label(a.margin())));
            }
            rows.add(row);
        }
        return new ReportWriter.Table(List.of("variant", "seeds", "test accuracy (mean ± sd)", "best epoch", "gap train − test",
                "difference (95% CI)", "sd of differences", "Holm p (t-test)", "Holm p (TOST)", "detectable at 80% power", "verdict"), rows);
    }

    static String dataDescription(DataSpec d) {
        String train = d.trainSize() == 0 ? "all training images" : String.format(Locale.ROOT, "%,d training images", d.trainSize());
        String test = d.testSize() == 0 ? "all test images" : String.format(Locale.ROOT, "%,d test images", d.testSize());
        return String.format(Locale.ROOT, "%s (%s, %.1f%% of them held out for validation; %s)", d.name(), train,
                100 * d.validationFraction(), test);
    }
}
