package io.cnn4j.study;

import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a placement study end to end: trials (variant × seed) not yet finished in the results
 * file, then statistics, mechanism checks and the report, all under {@code <out>/<study-id>/}.
 */
public final class Study {
    /** Test images pushed through the trained model for the mechanism checks. */
    static final int MECHANISM_SAMPLES = 64;

    public record Outcome(Path directory, Analysis analysis, Mechanisms.Report mechanisms, Path html, Path markdown, int trialsRun) {
    }

    private Study() {
    }

    public static Outcome run(StudyConfig config, PrintStream out, boolean terminal) {
        return run(config, out, terminal, TrialEngine.LOCAL);
    }

    /** Runs the study with trials run, and results and checkpoints kept, by {@code engine}; the report goes to the local directory. */
    public static Outcome run(StudyConfig config, PrintStream out, boolean terminal, TrialEngine engine) {
        Path dir = config.directory();
        try {
            // fail before the work: the results, checkpoints and reports all go here
            io.cnn4j.io.AtomicFiles.checkWritable(dir.resolve("results.jsonl"), "--out");
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        try (FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockChannel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("study " + config.studyId() + " is already running in another process (lock " + dir.resolve(".lock") + ")");
            }
            return runLocked(config, dir, out, terminal, engine);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock study directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Outcome runLocked(StudyConfig config, Path dir, PrintStream out, boolean terminal, TrialEngine engine) {
        long t0 = System.nanoTime();
        StudyData data = StudyDataLoader.load(config.data());
        BaseModel base = BaseModel.resolve(config.model(), data.inputShape(), data.classes());
        int window = base.firstPoolWindow();
        List<Variant> variants = config.variantList(window);
        Variant baseline = config.baselineVariant();
        if (config.baseline() != null && variants.stream().noneMatch(v -> v.id().equals(baseline.id()))) {
            // checked before any training: otherwise the run ends with an empty comparison and exit 0
            throw new io.cnn4j.model.InvalidSettingException("the baseline " + baseline.name() + " is not one of this study's variants ("
                    + String.join(", ", variants.stream().map(Variant::name).toList()) + "); pick one of them with --baseline (or \"baseline\" in the study file), or add it to the variants");
        }
        StudyStorage storage = engine.storage(config, dir);
        ResultsFile results = new ResultsFile(storage, "results.jsonl");
        results.repair();
        Manifest.of(config, window).write(dir);
        CheckpointStore checkpoints = engine.checkpoints(storage);

        Map<String, ResultsFile.TrialLog> logged = results.read();
        List<Trial> todo = new ArrayList<>();
        int total = 0;
        for (int s = 0; s < config.seeds(); s++) {
            for (Variant v : variants) {
                total++;
                Trial t = trial(config, v, s, 1);
                ResultsFile.TrialLog log = logged.get(t.id());
                if (log == null || !log.finished()) {
                    todo.add(t);
                }
            }
        }
        TrialEngine.Plan plan = engine.plan(config, todo.size());
        int parallel = plan.parallel();
        int gemmThreads = plan.gemmThreads();
        List<Trial> run = todo.stream().map(t -> trial(config, t.variant(), t.seed(), gemmThreads)).toList();
        out.printf(Locale.ROOT, "study %s: %d variants × %d seeds = %d trials (%d finished before, %s)%n",
                config.studyId(), variants.size(), config.seeds(), total, total - todo.size(), todo.isEmpty() ? "nothing to run"
                        : String.format(Locale.ROOT, "%d to run: %d in parallel × %d GEMM thread%s %s", todo.size(), parallel, gemmThreads,
                        gemmThreads == 1 ? "" : "s", plan.where()));
        out.printf(Locale.ROOT, "data: %s (%d train, %d validation, %d test); model: %s%n", config.data().name(), data.train().size(),
                data.validation() == null ? 0 : data.validation().size(), data.test().size(), base.describe());
        out.println("results: " + results.location());
        try (ProgressView view = new ProgressView(out, terminal, total, total - todo.size())) {
            engine.runner(base, data, results, checkpoints, plan).runAll(run, view);
        }

        Map<String, ResultsFile.TrialLog> logs = results.read();
        List<TrialResult> finished = ResultsFile.finishedResults(logs.values());
        String backendUsed = logs.values().stream().filter(ResultsFile.TrialLog::finished).map(l -> l.result().path("backend").asText())
                .distinct().reduce((a, b) -> a + ", " + b).orElse("–");
        Analysis analysis = new Analysis(variants, baseline, finished, config.margin(), selectionFor(config.selection(), finished));
        Mechanisms.Report mechanisms = mechanisms(config, base, data, variants, baseline, checkpoints);
        double minutes = (System.nanoTime() - t0) / 60e9;
        List<VarianceShift.Row> shift = varianceShift(config, base, data, variants, checkpoints);
        printVarianceShift(shift, out);
        Path[] report = ReportWriter.write(dir, config, base, data, analysis, mechanisms, finished,
                String.format(Locale.ROOT, "Total wall time of this run: %.1f min.", minutes), backendUsed,
                List.of(VarianceShift.reportPart(shift, config.rate())));
        out.println("report: " + report[0].toAbsolutePath());
        out.println(ReportWriter.opening(config, analysis, data));
        return new Outcome(dir, analysis, mechanisms, report[0], report[1], todo.size());
    }

    /**
     * The selection asked for, unless it is "best" and some finished trial has no best-epoch test
     * accuracy (results written before it was recorded): then "last", which every trial has.
     */
    public static Selection selectionFor(Selection asked, List<TrialResult> finished) {
        return asked == Selection.BEST && finished.stream().anyMatch(r -> Double.isNaN(r.bestTestAccuracy())) ? Selection.LAST : asked;
    }

    /**
     * What a results file alone does not say about its study, kept in {@code study.json} beside it
     * for {@code cnn4j report}: the command, the preset, the baseline, the variants in order, the
     * margin and the selection rule.
     */
    public record Manifest(int version, String studyId, String preset, String command, String baseline, List<Variant> variants,
                           double margin, String selection, int threads) {
        static final String FILE = "study.json";

        static Manifest of(StudyConfig c, int window) {
            return new Manifest(1, c.studyId(), c.preset(), c.command(), Headline.baselineSpec(c.baselineVariant()),
                    c.variantList(window), c.margin(), c.selection().optionName(), c.threads());
        }

        void write(Path dir) {
            try {
                io.cnn4j.io.AtomicFiles.write(dir.resolve(FILE), ResultsFile.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
            }
        }

        /** The manifest in {@code dir}, if there is one. */
        public static Optional<Manifest> read(Path dir) {
            Path f = dir.resolve(FILE);
            if (!Files.exists(f)) {
                return Optional.empty();
            }
            try {
                Manifest m = io.cnn4j.io.StrictJson.MAPPER.readValue(f.toFile(), Manifest.class);
                if (m.version() != 1) {
                    throw new IllegalArgumentException(f + ": unknown study manifest version " + m.version() + " (this cnn4j reads 1)");
                }
                return Optional.of(m);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read study manifest " + f + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Re-renders the report of a study directory from its results file alone (no training):
     * statistics, charts, index.html and report.md, written to {@code outDir}. The data set is
     * loaded for the mechanism checks and the image counts; trained models are used when the
     * directory still has seed 0's final checkpoints.
     *
     * @param baselineSpec null: the manifest's, else element-wise dropout after the first pooling type's pool
     * @param margin       null: the manifest's, else the default
     * @param selection    null: the manifest's, else best
     */
    public static Outcome rerender(Path dir, String baselineSpec, Double margin, Selection selection, Path outDir, PrintStream out) {
        ResultsFile results = new ResultsFile(dir.resolve("results.jsonl"));
        if (!Files.exists(results.path())) {
            throw new IllegalArgumentException("no results file in " + dir + " (expected " + results.path() + ")");
        }
        Map<String, ResultsFile.TrialLog> logs = results.read();
        if (logs.isEmpty()) {
            throw new IllegalArgumentException("results file " + results.path() + " has no trials");
        }
        Optional<Manifest> manifest = Manifest.read(dir);
        Trial first = logs.values().iterator().next().trial();
        List<Variant> variants = new ArrayList<>();
        for (ResultsFile.TrialLog l : logs.values()) {
            if (variants.stream().noneMatch(v -> v.id().equals(l.trial().variant().id()))) {
                variants.add(l.trial().variant());
            }
        }
        Variant baseline = baselineSpec != null ? Headline.parseBaseline(baselineSpec)
                : manifest.isPresent() ? Headline.parseBaseline(manifest.get().baseline())
                : variants.stream().filter(v -> v.dropout().equals("dropout") && v.position().equals("after") && v.rateMode().equals("nominal"))
                .findFirst().orElse(variants.get(0));
        double m = margin != null ? margin : manifest.map(Manifest::margin).orElse(Analysis.DEFAULT_MARGIN);
        Selection sel = selection != null ? selection : manifest.map(x -> Selection.parse(x.selection())).orElse(Selection.BEST);
        List<TrialResult> finished = ResultsFile.finishedResults(logs.values());
        int seeds = (int) logs.values().stream().mapToLong(l -> l.trial().seed()).max().orElse(0) + 1;
        List<String> poolings = variants.stream().map(Variant::pooling).distinct().toList();
        double rate = baseline.dropout().equals("none") ? 0.25 : baseline.nominalRate();
        String command = manifest.map(Manifest::command).orElse("(the study's command was not recorded; cnn4j report " + dir + ")");
        StudyConfig config = new StudyConfig(manifest.map(Manifest::preset).orElse("custom"), first.data(), first.model(), poolings, rate,
                "nominal", null, variants, baseline, seeds, first.training(), first.backend(),
                manifest.map(Manifest::threads).orElse(first.threads()), dir.toAbsolutePath().getParent(), command, List.of(rate), m, sel);
        StudyData data = StudyDataLoader.load(first.data());
        BaseModel base = BaseModel.resolve(first.model(), data.inputShape(), data.classes());
        String backendUsed = logs.values().stream().filter(ResultsFile.TrialLog::finished).map(l -> l.result().path("backend").asText())
                .distinct().reduce((a, b) -> a + ", " + b).orElse("–");
        Analysis analysis = new Analysis(variants, baseline, finished, m, selectionFor(sel, finished));
        CheckpointStore checkpoints = new ModelFilesCheckpointStore(dir.resolve("checkpoints"));
        Mechanisms.Report mechanisms = mechanisms(config, base, data, variants, baseline, checkpoints);
        double trialSeconds = finished.stream().mapToDouble(TrialResult::seconds).sum();
        if (!outDir.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
            try {
                Files.createDirectories(outDir);
                Files.copy(results.path(), outDir.resolve("results.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the results into " + outDir + ": " + e.getMessage(), e);
            }
        }
        Path[] report = ReportWriter.write(outDir, config, base, data, analysis, mechanisms, finished,
                String.format(Locale.ROOT, "Re-rendered from results.jsonl by cnn4j report; the trials took %.1f min of trial time in all.",
                        trialSeconds / 60), backendUsed);
        out.println("report: " + report[0].toAbsolutePath());
        out.println(ReportWriter.opening(config, analysis, data));
        return new Outcome(outDir, analysis, mechanisms, report[0], report[1], 0);
    }

    static Trial trial(StudyConfig c, Variant v, long seed, int threads) {
        return new Trial(c.studyId(), c.model(), v, seed, c.training(), c.data(), c.backend(), threads);
    }

    /**
     * The variance shift at every BatchNormalization layer (see {@link VarianceShift}) of seed 0's final model of each
     * variant, on the mechanism sample; empty when the base model has no BatchNormalization.
     */
    static List<VarianceShift.Row> varianceShift(StudyConfig config, BaseModel base, StudyData data, List<Variant> variants,
                                                 CheckpointStore checkpoints) {
        if (base.layers().stream().noneMatch(StudyLayers::isBatchNormalization)) {
            return List.of();
        }
        Tensor sample = data.test().x().slice(0, Math.min(MECHANISM_SAMPLES, data.test().size()));
        List<VarianceShift.Row> rows = new ArrayList<>();
        for (Variant v : variants) {
            Sequential model = VariantFactory.build(base, v, 0, null);
            model.compile(config.training().optimizer(), "categorical_crossentropy", "accuracy");
            if (checkpoints.restore(TrialExecutor.finalId(trial(config, v, 0, 1)), model).isPresent()) {
                rows.addAll(VarianceShift.measure(v.name(), model, sample, 4321));
            }
        }
        return rows;
    }

    /** One line per variant: the variance ratio at the BN layers dropout reaches, measured and predicted. */
    static void printVarianceShift(List<VarianceShift.Row> rows, PrintStream out) {
        if (rows.isEmpty()) {
            return;
        }
        out.println("variance shift at BatchNormalization inputs, Var with dropout on / Var in inference: all dropout on / nearest dropout only"
                + " (predicted):");
        Map<String, List<String>> byVariant = new java.util.LinkedHashMap<>();
        for (VarianceShift.Row r : rows) {
            byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r.layer() + " " + VarianceShift.fmt(r.measuredRatio())
                    + " / " + VarianceShift.fmt(r.isolatedRatio()) + " (" + VarianceShift.fmt(r.predictedRatio()) + ")");
        }
        byVariant.forEach((v, cells) -> out.println("  " + v + ": " + String.join(", ", cells)));
    }

    /** Mechanism checks on random inputs and on the pooling inputs of seed 0's trained no-dropout (else baseline) model. */
    static Mechanisms.Report mechanisms(StudyConfig config, BaseModel base, StudyData data, List<Variant> variants, Variant baseline,
                                        CheckpointStore checkpoints) {
        Variant source = variants.stream().filter(v -> v.dropout().equals("none")).findFirst().orElse(baseline);
        Sequential model = VariantFactory.build(base, source, 0, null);
        model.compile(config.training().optimizer(), "categorical_crossentropy", "accuracy");
        Optional<List<EpochRecord>> restored = checkpoints.restore(TrialExecutor.finalId(trial(config, source, 0, 1)), model);
        int k = (int) Math.round(Math.sqrt(base.firstPoolWindow()));
        int n = Math.min(MECHANISM_SAMPLES, data.test().size());
        Tensor sample = data.test().x().slice(0, n);
        return Mechanisms.run(config.rate(), k, restored.isPresent() ? model : null, sample, 1234);
    }
}
