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
        Path dir = config.directory();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create study directory " + dir + ": " + e.getMessage(), e);
        }
        try (FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockChannel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("study " + config.studyId() + " is already running in another process (lock " + dir.resolve(".lock") + ")");
            }
            return runLocked(config, dir, out, terminal);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock study directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Outcome runLocked(StudyConfig config, Path dir, PrintStream out, boolean terminal) {
        long t0 = System.nanoTime();
        StudyData data = StudyDataLoader.load(config.data());
        BaseModel base = BaseModel.resolve(config.model(), data.inputShape(), data.classes());
        int window = base.firstPoolWindow();
        List<Variant> variants = config.variantList(window);
        Variant baseline = config.baselineVariant();
        ResultsFile results = new ResultsFile(dir.resolve("results.jsonl"));
        results.repair();
        CheckpointStore checkpoints = new ModelFilesCheckpointStore(dir.resolve("checkpoints"));

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
        int parallel = Math.max(1, Math.min(config.threads(), todo.size()));
        int gemmThreads = Math.max(1, config.threads() / parallel);
        List<Trial> run = todo.stream().map(t -> trial(config, t.variant(), t.seed(), gemmThreads)).toList();
        out.printf(Locale.ROOT, "study %s: %d variants × %d seeds = %d trials (%d finished before, %s)%n",
                config.studyId(), variants.size(), config.seeds(), total, total - todo.size(), todo.isEmpty() ? "nothing to run"
                        : String.format(Locale.ROOT, "%d to run: %d in parallel × %d GEMM thread%s", todo.size(), parallel, gemmThreads,
                        gemmThreads == 1 ? "" : "s"));
        out.printf(Locale.ROOT, "data: %s (%d train, %d validation, %d test); model: %s%n", config.data().name(), data.train().size(),
                data.validation() == null ? 0 : data.validation().size(), data.test().size(), base.describe());
        out.println("results: " + results.path());
        TrialExecutor executor = new TrialExecutor(base, data, results, checkpoints);
        try (ProgressView view = new ProgressView(out, terminal, total, total - todo.size())) {
            new LocalTrialRunner(executor, parallel).runAll(run, view);
        }

        Map<String, ResultsFile.TrialLog> logs = results.read();
        List<TrialResult> finished = ResultsFile.finishedResults(logs.values());
        String backendUsed = logs.values().stream().filter(ResultsFile.TrialLog::finished).map(l -> l.result().path("backend").asText())
                .distinct().reduce((a, b) -> a + ", " + b).orElse("–");
        Analysis analysis = new Analysis(variants, baseline, finished);
        Mechanisms.Report mechanisms = mechanisms(config, base, data, variants, baseline, checkpoints);
        double minutes = (System.nanoTime() - t0) / 60e9;
        List<VarianceShift.Row> shift = varianceShift(config, base, data, variants, checkpoints);
        printVarianceShift(shift, out);
        Path[] report = ReportWriter.write(dir, config, base, data, analysis, mechanisms, finished, minutes, backendUsed,
                List.of(VarianceShift.reportPart(shift, config.rate())));
        out.println("report: " + report[0].toAbsolutePath());
        out.println(ReportWriter.opening(config, analysis, data));
        return new Outcome(dir, analysis, mechanisms, report[0], report[1], todo.size());
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
