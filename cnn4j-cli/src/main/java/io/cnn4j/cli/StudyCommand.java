package io.cnn4j.cli;

import io.cnn4j.data.DatasetNotFoundException;
import io.cnn4j.data.Datasets;
import io.cnn4j.study.DataSpec;
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
                "Presets: quick (default; the embedded Fashion-MNIST subset, ≤ 10 minutes on 2 cores) and full (full Fashion-MNIST, "
                        + "max and average pooling, nominal and matched rates, 5 seeds)."})
public final class StudyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "quick", description = "quick or full (default: ${DEFAULT-VALUE})")
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

    @Option(names = "--lr", description = "Adam learning rate (default 0.001)")
    Double learningRate;

    @Option(names = "--pooling", split = ",", description = "pooling types: max, avg (comma-separated)")
    List<String> pooling;

    @Option(names = "--rate", description = "dropout rate around the pools (default 0.25)")
    Double rate;

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
        Study.run(config, System.out, System.console() != null);
        return 0;
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

    StudyConfig config(List<String> args) {
        Preset p = switch (preset.toLowerCase(Locale.ROOT)) {
            case "quick" -> Preset.QUICK;
            case "full" -> Preset.FULL;
            default -> throw new ParameterException(spec.commandLine(), "--preset must be quick or full, got '" + preset + "'");
        };
        StudyFile file = studyFile == null ? null : StudyFile.read(studyFile);
        double r = rate != null ? rate : 0.25;
        List<String> pools = pooling != null ? pooling.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList() : p.pooling;
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
        String cmd = "./cnn4j study" + (args.isEmpty() ? "" : " " + String.join(" ", args.stream().map(StudyCommand::quote).toList()));
        return new StudyConfig(presetName, dataSpec, model != null ? model : "vgg-like", pools, r, rates != null ? rates : p.rates,
                variants, file == null ? null : file.variants(), base, nSeeds,
                new TrainingSpec(nEpochs, batchSize != null ? batchSize : p.batch, learningRate != null ? learningRate : 0.001),
                backend, cores, out, cmd);
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
        QUICK("fashion-mnist-subset", 5000, 2000, 0.1, List.of("max"), "nominal", 5, 4, 64),
        FULL("fashion-mnist", 0, 0, 1.0 / 12, List.of("max", "avg"), "both", 5, 15, 128);

        final String data;
        final int train;
        final int test;
        final double validation;
        final List<String> pooling;
        final String rates;
        final int seeds;
        final int epochs;
        final int batch;

        Preset(String data, int train, int test, double validation, List<String> pooling, String rates, int seeds, int epochs, int batch) {
            this.data = data;
            this.train = train;
            this.test = test;
            this.validation = validation;
            this.pooling = pooling;
            this.rates = rates;
            this.seeds = seeds;
            this.epochs = epochs;
            this.batch = batch;
        }
    }
}
