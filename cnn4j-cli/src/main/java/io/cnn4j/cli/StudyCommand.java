package io.cnn4j.cli;

import io.cnn4j.data.DatasetNotFoundException;
import io.cnn4j.data.Datasets;
import io.cnn4j.study.DataSpec;
import io.cnn4j.study.Selection;
import io.cnn4j.study.Study;
import io.cnn4j.study.StudyConfig;
import io.cnn4j.study.StudyFile;
import io.cnn4j.study.TrainingSpec;
import io.cnn4j.study.Variant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Answers \"dropout before or after pooling?\" for a data set: trains every placement variant of a base model "
                + "over several seeds (paired: same initial weights and batches per seed), compares them statistically, checks the "
                + "mechanisms and writes reports/<study-id>/index.html and report.md.",
                "Interrupt it at any time; running the same command again resumes (finished trials are skipped, an interrupted one "
                        + "continues from its last epoch).",
                "Presets: quick (default; the embedded Fashion-MNIST subset, ≤ 10 minutes on 2 cores), full (full Fashion-MNIST, "
                        + "max and average pooling, nominal and matched rates, 5 seeds) and answer (designed from a pilot to give a "
                        + "converged answer in ≤ 3 hours on 2 cores; see docs/study.md)."})
public class StudyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "quick", description = "quick, full or answer (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--data", description = "data set: fashion-mnist-subset, fashion-mnist, mnist, cifar10, or synthetic:HxWxC:classes")
    String data;

    @Option(names = "--model", description = "base architecture: vgg-like (default), simple-cnn, vgg-like-bn (Conv-BN-ReLU blocks), or a Keras-style model JSON file (*.json)")
    String model;

    @Option(names = "--seeds", description = "seeds per variant (0..n-1)")
    Integer seeds;

    @Option(names = "--epochs", description = "training epochs per trial")
    Integer epochs;

    @Option(names = "--batch-size", description = "batch size")
    Integer batchSize;

    @Option(names = "--lr", description = "learning rate (default: Adam 0.001, SGD 0.01)")
    Double learningRate;

    @Option(names = "--optimizer", description = "adam (Keras defaults) or sgd (the seed's SGD: lr 0.01, momentum 0.9, Nesterov, decay 1e-6)")
    String optimizer;

    @Option(names = "--patience", description = "stop a trial after this many epochs without a lower validation loss (Keras EarlyStopping); "
            + "default: train every epoch. Either way each trial is also tested at its best validation epoch.")
    Integer patience;

    @Option(names = "--select", description = "which test accuracy the answer uses: best (at each trial's lowest validation loss, Keras "
            + "EarlyStopping(restore_best_weights=True); the default) or last (after the last epoch)")
    String select;

    @Option(names = "--margin", description = "equivalence margin in accuracy points for the TOST verdicts (default 0.3)")
    Double margin;

    @Option(names = "--pooling", split = ",", description = "pooling types: max, avg (comma-separated)")
    List<String> pooling;

    @Option(names = "--rate", split = ",", description = "dropout rate(s) around the pools (default 0.25); several, e.g. 0.1,0.25,0.5, "
            + "run every placement at each rate; the first is the baseline's")
    List<Double> rate;

    @Option(names = "--rates", description = "nominal, matched (element-wise before the pool at p^(1/k²)) or both")
    String rates;

    @Option(names = "--variants", split = ",", description = "placements to run: none, dropout-before, dropout-after, spatial-before, spatial-after (the default set), "
            + "pwp-before (Wu & Gu's max-pooling dropout with probabilistic weighted pooling), dropblock-before, dropblock-after "
            + "(DropBlock2D, Ghiasi et al. 2018, 3x3 blocks), dropout-before-bn, dropout-after-bn, spatial-before-bn, spatial-after-bn "
            + "(around every BatchNormalization after a convolution; use with --model vgg-like-bn)")
    List<String> variants;

    @Option(names = "--baseline", description = "baseline placement for the paired comparisons, e.g. max:dropout-after (default) or avg:spatial-before")
    String baseline;

    @Option(names = "--study-file", description = "JSON file listing your own variants (see the docs of StudyFile)")
    Path studyFile;

    @Option(names = "--out", defaultValue = "reports", description = "output root; the study writes to <out>/<study-id>/ (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--threads", description = "cores to use in all (default: all available); trials run in parallel, one GEMM thread each")
    Integer threads;

    @Option(names = "--subset", description = "use only the first N training images")
    Integer subset;

    @Option(names = "--test-size", description = "use only the first N test images")
    Integer testSize;

    @Option(names = "--backend", description = "GEMM backend name (default: best available)")
    String backend;

    @Option(names = "--download", description = "fetch the data set from its official source into ~/.cnn4j/datasets when it is not found")
    boolean download;

    @Override
    public Integer call() throws java.io.IOException {
        // the original arguments include the parent command's ("study" and anything before it)
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        int at = original.indexOf(spec.name());
        StudyConfig config = config(at >= 0 ? original.subList(at + 1, original.size()) : original);
        if (download) {
            fetchIfMissing(config.data().name());
        }
        runStudy(config);
        return 0;
    }

    /** Runs the configured study; cnn4j-spark's study command runs it on Spark instead of in this JVM. */
    protected void runStudy(StudyConfig config) {
        Study.run(config, System.out, System.console() != null);
    }

    /** The command as the report quotes it for a rerun. */
    protected String commandName() {
        return "./cnn4j study";
    }

    static void fetchIfMissing(String name) throws java.io.IOException {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("synthetic") || n.equals(Datasets.EMBEDDED) || !Datasets.NAMES.contains(n)) {
            return;
        }
        try {
            Datasets.load(n, (Path) null);
        } catch (DatasetNotFoundException e) {
            Path dir = Datasets.Lookup.fromEnvironment(null).userDir(n);
            System.out.println("downloading " + n + " into " + dir);
            Datasets.download(n, dir, (file, done, total) -> {
                if (done == total) {
                    System.out.println("  " + file + ": " + total + " bytes");
                }
            });
        }
    }

    protected StudyConfig config(List<String> args) {
        Preset p = switch (preset.toLowerCase(Locale.ROOT)) {
            case "quick" -> Preset.QUICK;
            case "full" -> Preset.FULL;
            case "answer" -> Preset.ANSWER;
            default -> throw new ParameterException(spec.commandLine(), "--preset must be quick, full or answer, got '" + preset + "'");
        };
        StudyFile file = studyFile == null ? null : StudyFile.read(studyFile);
        List<Double> allRates = rate != null && !rate.isEmpty() ? List.copyOf(rate) : p.rate;
        double r = allRates.get(0);
        String opt = optimizer != null ? optimizer.toLowerCase(Locale.ROOT) : p.optimizer;
        if (!TrainingSpec.OPTIMIZERS.contains(opt)) {
            throw new ParameterException(spec.commandLine(), "--optimizer must be adam or sgd, got '" + optimizer + "'");
        }
        double marginPoints = margin != null ? margin : 0.3;
        if (!(marginPoints > 0 && marginPoints < 100)) {
            throw new ParameterException(spec.commandLine(), "--margin is in accuracy points and must be in (0, 100), got " + margin);
        }
        Selection selection;
        try {
            selection = Selection.parse(select != null ? select : "best");
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Integer pat = patience != null ? patience : p.patience;
        List<String> pools = pooling != null ? pooling.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList() : p.pooling;
        List<String> placements = variants != null ? variants : p.placements;
        int nSeeds = seeds != null ? seeds : file != null && file.seeds() != null ? file.seeds() : p.seeds;
        int nEpochs = epochs != null ? epochs : file != null && file.epochs() != null ? file.epochs() : p.epochs;
        Variant base = baseline != null ? parseBaseline(baseline, r) : file != null && file.baseline() != null ? file.baseline() : null;
        if (base == null && file != null) {
            base = Variant.nominal(file.variants().get(0).pooling(), "dropout", "after", r);
        }
        String presetName = file != null ? "custom" : p.name().toLowerCase(Locale.ROOT);
        DataSpec dataSpec = new DataSpec(data != null ? data : p.data, subset != null ? subset : p.train, testSize != null ? testSize : p.test,
                p.validation);
        int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        String cmd = commandName() + (args.isEmpty() ? "" : " " + String.join(" ", args.stream().map(StudyCommand::quote).toList()));
        return new StudyConfig(presetName, dataSpec, model != null ? model : "vgg-like", pools, r, rates != null ? rates : p.rates,
                placements, file == null ? null : file.variants(), base, nSeeds,
                new TrainingSpec(nEpochs, batchSize != null ? batchSize : p.batch,
                        learningRate != null ? learningRate : TrainingSpec.defaultLearningRate(opt), opt, pat),
                backend, cores, out, cmd, allRates, marginPoints / 100, selection);
    }

    static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=,@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    Variant parseBaseline(String s, double r) {
        String[] parts = s.toLowerCase(Locale.ROOT).split(":");
        if (parts.length != 2) {
            throw new ParameterException(spec.commandLine(), "--baseline looks like max:dropout-after, got '" + s + "'");
        }
        if (parts[1].equals("none")) {
            return Variant.none(parts[0]);
        }
        String[] dp = parts[1].split("-", 2);
        if (dp.length != 2) {
            throw new ParameterException(spec.commandLine(), "--baseline placement must be dropout-before, dropout-after, spatial-before, "
                    + "spatial-after or none; got '" + parts[1] + "'");
        }
        return Variant.nominal(parts[0], dp[0], dp[1], r);
    }

    /** Preset defaults; every value can be overridden by an option. */
    enum Preset {
        // sized to finish in ≤ 10 minutes on a 2-core machine (measured; see the README)
        QUICK("fashion-mnist-subset", 5000, 2000, 0.1, List.of("max"), "nominal", 5, 4, 64, null),
        FULL("fashion-mnist", 0, 0, 1.0 / 12, List.of("max", "avg"), "both", 5, 15, 128, null),
        // designed from the pilot in docs/results/pilot-*/: the arithmetic is in docs/study.md ("The answer preset")
        ANSWER("fashion-mnist", ANSWER_TRAIN, 0, ANSWER_VALIDATION, List.of("max", "avg"), "both", ANSWER_SEEDS, ANSWER_EPOCHS, ANSWER_BATCH,
                ANSWER_PLACEMENTS);

        final String data;
        final int train;
        final int test;
        final double validation;
        final List<String> pooling;
        final String rates;
        final int seeds;
        final int epochs;
        final int batch;
        final List<String> placements;
        final List<Double> rate = List.of(0.25);
        final String optimizer = "adam";
        final Integer patience = null;

        Preset(String data, int train, int test, double validation, List<String> pooling, String rates, int seeds, int epochs, int batch,
               List<String> placements) {
            this.data = data;
            this.train = train;
            this.test = test;
            this.validation = validation;
            this.pooling = pooling;
            this.rates = rates;
            this.seeds = seeds;
            this.epochs = epochs;
            this.batch = batch;
            this.placements = placements;
        }
    }

    // The answer preset's design (docs/study.md, "The answer preset"): training images taken (the
    // validation fraction of them held out), seeds, epochs, batch size, placements. Spatial dropout
    // runs once per pooling type: before and after the pool are the same computation with the same
    // mask (mechanism check (a)), so a second run would only measure float rounding.
    static final int ANSWER_TRAIN = 9000;
    static final double ANSWER_VALIDATION = 1.0 / 12;
    static final int ANSWER_SEEDS = 14;
    static final int ANSWER_EPOCHS = 14;
    static final int ANSWER_BATCH = 32;
    static final List<String> ANSWER_PLACEMENTS = List.of("none", "dropout-before", "dropout-after", "spatial-after");
}
