package io.cnn4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.data.DataSplits;
import io.cnn4j.data.Dataset;
import io.cnn4j.data.ImageAugmentation;
import io.cnn4j.data.Standardizer;
import io.cnn4j.io.AtomicFiles;
import io.cnn4j.io.ModelCheckpoint;
import io.cnn4j.io.ModelFiles;
import io.cnn4j.io.SavedModel;
import io.cnn4j.io.TrainingState;
import io.cnn4j.kernels.Backends;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.History;
import io.cnn4j.model.InvalidSettingException;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import io.cnn4j.optim.Optimizer;
import io.cnn4j.optim.SGD;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a model on a data set, evaluates it on the test set, and optionally saves it.",
                "Without --dataset it uses the embedded Fashion-MNIST subset (works offline).",
                "Example: cnn4j train --model simple-cnn --epochs 1 --save model.cnn4j"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure while running (bad data or model file, NaN loss, I/O error)", "2:usage error"})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--model", defaultValue = "vgg-like", paramLabel = "MODEL",
            description = "vgg-like, simple-cnn, an architecture JSON file (cnn4j or Keras model.to_json()), or a saved .cnn4j model (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--epochs", defaultValue = "10", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(32);

    @Option(names = "--optimizer", defaultValue = "adam", description = "sgd or adam (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--lr", description = "learning rate (default: 0.001 for adam, 0.01 for sgd, as in Keras)")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0.0", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum for SGD")
    boolean nesterov;

    @Option(names = "--decay", defaultValue = "0.0",
            description = "Keras' legacy time-based decay for sgd and adam: lr / (1 + decay · iterations), iterations counted per batch (default: ${DEFAULT-VALUE})")
    double decay;

    @Option(names = "--seed", defaultValue = "1", description = "seed of weights, data order, dropout masks and augmentation (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--validation-split", defaultValue = "0.0",
            description = "fraction of the training data held out for validation, taken from the end as Keras does (default: ${DEFAULT-VALUE})")
    double validationSplit;

    @Option(names = "--augment", description = "random horizontal flips and shifts of up to --shift pixels during training")
    boolean augment;

    @Option(names = "--shift", defaultValue = "2", description = "largest shift in pixels with --augment (default: ${DEFAULT-VALUE})")
    int shift;

    @Option(names = "--standardize", description = "per-channel standardisation fitted on the training set (stored in the saved model)")
    boolean standardize;

    @Option(names = "--save", paramLabel = "FILE", description = "save the trained model (architecture, weights, optimizer state) to FILE")
    Path save;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "write a checkpoint after every epoch; if DIR already holds one, resume from it")
    Path checkpointDir;

    @Option(names = "--monitor", paramLabel = "METRIC",
            description = "what the callbacks below watch, as Keras' monitor: loss, accuracy, val_loss, val_accuracy "
                    + "(default: val_loss with --validation-split, loss otherwise)")
    String monitor;

    @Option(names = "--early-stopping-patience", paramLabel = "N",
            description = "Keras' EarlyStopping(monitor, patience=N): stop after N epochs without improvement")
    Integer earlyStoppingPatience;

    @Option(names = "--early-stopping-min-delta", defaultValue = "0", paramLabel = "D",
            description = "EarlyStopping min_delta: smaller changes are no improvement (default: ${DEFAULT-VALUE})")
    double earlyStoppingMinDelta;

    @Option(names = "--restore-best-weights",
            description = "EarlyStopping restore_best_weights: end with the weights of the best epoch (needs --early-stopping-patience)")
    boolean restoreBestWeights;

    @Option(names = "--reduce-lr-on-plateau", description = "Keras' ReduceLROnPlateau(monitor, factor, patience) with the two options below")
    boolean reduceLrOnPlateau;

    @Option(names = "--reduce-lr-factor", defaultValue = "0.1", paramLabel = "F",
            description = "ReduceLROnPlateau factor (default: ${DEFAULT-VALUE})")
    double reduceLrFactor;

    @Option(names = "--reduce-lr-patience", defaultValue = "10", paramLabel = "N",
            description = "ReduceLROnPlateau patience (default: ${DEFAULT-VALUE})")
    int reduceLrPatience;

    @Option(names = "--min-lr", defaultValue = "0", paramLabel = "LR", description = "ReduceLROnPlateau min_lr (default: ${DEFAULT-VALUE})")
    double minLr;

    @Option(names = "--lr-step-decay", paramLabel = "F,N",
            description = "LearningRateScheduler step decay: multiply the learning rate by F every N epochs, e.g. 0.5,10")
    String lrStepDecay;

    @Option(names = "--csv-log", paramLabel = "FILE", description = "Keras' CSVLogger: one row per epoch (epoch, loss, accuracy, val_...) in FILE")
    Path csvLog;

    @Option(names = "--save-best", paramLabel = "FILE",
            description = "Keras' ModelCheckpoint(FILE, monitor, save_best_only=True): keep the best epoch's model in FILE")
    Path saveBest;

    @Option(names = "--terminate-on-nan",
            description = "Keras' TerminateOnNaN: on a NaN loss stop training and still evaluate and save (default: fail with exit code 1)")
    boolean terminateOnNan;

    @Option(names = "--verbose", defaultValue = "1", description = "0 quiet, 1 progress (a bar on a terminal, a line per epoch otherwise)")
    int verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        validate();
        threads.apply(spec.commandLine());
        int batchSize = batch.get(spec.commandLine());
        // fail before the work: every place we will write must be writable now, not after training
        if (save != null) {
            AtomicFiles.checkWritable(save, "--save");
        }
        if (checkpointDir != null) {
            AtomicFiles.checkWritable(checkpointDir.resolve(ModelCheckpoint.FILE_NAME), "--checkpoint-dir");
        }
        if (saveBest != null) {
            AtomicFiles.checkWritable(saveBest, "--save-best");
        }
        if (csvLog != null) {
            AtomicFiles.checkWritable(csvLog, "--csv-log");
        }
        boolean terminal = System.console() != null;
        DataSplits splits = data.load(err, terminal);
        int[] imageShape = splits.inputShape();
        if (augment && imageShape.length == 3 && shift >= Math.min(imageShape[0], imageShape[1])) {
            throw new InvalidSettingException("--shift " + shift + " is not smaller than the images (" + imageShape[0] + "x" + imageShape[1]
                    + "): a shift that large moves every pixel out of the image");
        }
        Dataset train = splits.train();
        Dataset test = splits.test();
        Standardizer standardizer = null;
        if (standardize) {
            standardizer = Standardizer.fit(train.x());
            train = standardizer.apply(train);
            test = standardizer.apply(test);
        }
        ObjectNode metadata = Preprocess.metadata(splits, standardizer);
        Preprocess.recordInputRange(metadata, splits.train().x());
        ObjectNode run = runIdentity(splits);
        metadata.set("run", run);
        out.printf(Locale.ROOT, "data: %s from %s: %d training, %d test images of %s, %d classes%n", splits.name(), splits.source(),
                train.size(), test.size(), io.cnn4j.tensor.Shapes.toString(splits.inputShape()), splits.classes());

        Sequential net;
        int initialEpoch = 0;
        TrainingState resumedFrom = null;
        Optional<SavedModel> checkpoint = checkpointDir == null ? Optional.empty() : ModelCheckpoint.latest(checkpointDir, null);
        if (checkpoint.isPresent()) {
            SavedModel cp = checkpoint.get();
            String cpData = cp.metadata().path("dataset").asText("");
            if (!cpData.equals(splits.name())) {
                throw new InvalidSettingException("the checkpoint in " + checkpointDir + " was trained on '" + cpData + "', not '"
                        + splits.name() + "'; use another --checkpoint-dir");
            }
            requireSameRun(cp.metadata().get("run"), run);
            net = cp.model();
            resumedFrom = cp.training().orElse(null);
            initialEpoch = resumedFrom == null ? 0 : resumedFrom.epochsDone();
            out.println("resuming from " + checkpointDir.resolve(ModelCheckpoint.FILE_NAME) + " after epoch " + initialEpoch);
        } else {
            net = ModelSource.create(model, splits.inputShape(), splits.classes(), seed, spec.commandLine());
            net.compile(optimizer(), "categorical_crossentropy", "accuracy");
        }
        if (net.optimizer() == null) {
            net.compile(optimizer(), "categorical_crossentropy", "accuracy");
        }
        out.printf(Locale.ROOT, "model: %s, %,d parameters, seed %d, GEMM %s, %s threads%n", net.name(), net.parameterCount(), net.seed(),
                net.gemm().getClass().getSimpleName(), Backends.threads());
        FitOptions options = FitOptions.defaults().batchSize(batchSize).epochs(epochs).verbose(0).validationSplit(validationSplit)
                .initialEpoch(Math.min(initialEpoch, epochs));
        if (augment && shift >= 0) {
            options = options.augmentation(new ImageAugmentation(true, shift));
        }
        if (verbose > 0) {
            options = options.callbacks(new ProgressCallback(out, terminal));
        }
        if (checkpointDir != null) {
            options = options.callbacks(new ModelCheckpoint(checkpointDir, resumedFrom, metadata));
        }
        options = options.callbacks(kerasCallbacks(out).toArray(io.cnn4j.model.Callback[]::new));
        History history = initialEpoch >= epochs ? null : net.fit(train.x(), train.oneHot(), options);
        if (history != null && !history.epochSeconds().isEmpty()) {
            double mean = history.epochSeconds().stream().mapToDouble(Double::doubleValue).average().orElse(0);
            out.printf(Locale.ROOT, "%d epochs, %.1f s/epoch%n", history.epochSeconds().size(), mean);
        } else if (initialEpoch >= epochs) {
            out.println("the checkpoint has already done " + initialEpoch + " of " + epochs + " epochs; nothing to train");
        }
        Map<String, Double> score = net.evaluate(test.x(), test.oneHot(), Math.max(batchSize, 64));
        out.printf(Locale.ROOT, "test loss: %.4f - test accuracy: %.4f%n", score.get("loss"), score.get("accuracy"));
        out.printf(Locale.ROOT, "peak heap: %d MiB%n", MemoryPeaks.heapBytes() >> 20);
        if (save != null) {
            try {
                ModelFiles.save(net, save, null, metadata);
            } catch (java.io.IOException e) {
                // the trained model must not be lost: write it where we can and say where
                err.println("cnn4j: error: " + e.getMessage());
                try {
                    err.println("cnn4j: the trained model was saved to " + saveElsewhere(net, metadata) + " instead");
                } catch (java.io.IOException again) {
                    err.println("cnn4j: error: the trained model could not be saved anywhere: " + again.getMessage());
                }
                err.flush();
                out.flush();
                return 1;
            }
            out.println("saved " + save);
        }
        out.flush();
        return 0;
    }

    /**
     * Saves where it can when --save failed after training: next to the requested file under
     * another name, else in the working directory, else in the temporary directory; returns where.
     */
    private Path saveElsewhere(Sequential net, ObjectNode metadata) throws java.io.IOException {
        String name = "cnn4j-unsaved-" + ProcessHandle.current().pid() + "-"
                + (save.getFileName() == null ? "model.cnn4j" : save.getFileName().toString());
        Path next = save.toAbsolutePath().getParent();
        java.io.IOException last = null;
        for (Path dir : new Path[]{next, Path.of("").toAbsolutePath(), Path.of(System.getProperty("java.io.tmpdir"))}) {
            if (dir == null) {
                continue;
            }
            Path f = dir.resolve(name);
            try {
                ModelFiles.save(net, f, null, metadata);
                return f;
            } catch (java.io.IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * What makes this run's result: a checkpoint written under other settings must not be resumed
     * as if it were this run. The model is identified by its content, not its path.
     */
    ObjectNode runIdentity(DataSplits splits) throws java.io.IOException {
        ObjectNode r = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        r.put("--model", ModelSource.isBuiltIn(model) ? model.toLowerCase(Locale.ROOT) : "sha256:" + sha256(Path.of(model)));
        r.put("--optimizer", optimizer.toLowerCase(Locale.ROOT));
        r.put("--lr", lr == null ? (optimizer.equalsIgnoreCase("sgd") ? 0.01 : 0.001) : lr);
        r.put("--momentum", momentum);
        r.put("--nesterov", nesterov);
        r.put("--decay", decay);
        r.put("--seed", seed);
        r.put("--batch-size", batch.get(spec.commandLine()));
        r.put("--validation-split", validationSplit);
        r.put("--augment", augment);
        r.put("--shift", augment ? shift : 0);
        r.put("--standardize", standardize);
        r.put("--dataset", splits.name());
        r.put("--limit", data.limit == null ? 0 : data.limit);
        // callbacks that change the learning rate change the weights too
        r.put("--lr-step-decay", lrStepDecay == null ? "" : lrStepDecay);
        r.put("--reduce-lr-on-plateau", reduceLrOnPlateau ? reduceLrFactor + "," + reduceLrPatience + "," + minLr : "");
        return r;
    }

    /** Refuses a checkpoint whose run settings differ from this run's, naming each difference. */
    void requireSameRun(com.fasterxml.jackson.databind.JsonNode recorded, ObjectNode now) {
        if (recorded == null || !recorded.isObject()) {
            throw new InvalidSettingException("the checkpoint in " + checkpointDir + " records no run settings (written by an older cnn4j), "
                    + "so it cannot be checked against this run; use another --checkpoint-dir or delete it to start fresh");
        }
        java.util.List<String> diffs = new java.util.ArrayList<>();
        now.fieldNames().forEachRemaining(k -> {
            com.fasterxml.jackson.databind.JsonNode was = recorded.get(k);
            com.fasterxml.jackson.databind.JsonNode is = now.get(k);
            boolean same = was != null && (was.isNumber() && is.isNumber() ? was.asDouble() == is.asDouble() : was.equals(is));
            if (!same) {
                diffs.add(k + " " + (was == null ? "(not recorded)" : was.asText()) + " in the checkpoint, " + is.asText() + " now");
            }
        });
        if (!diffs.isEmpty()) {
            throw new InvalidSettingException("the checkpoint in " + checkpointDir + " belongs to a different run (" + String.join("; ", diffs)
                    + "); rerun with its settings to resume, or use another --checkpoint-dir (or delete it) to start fresh");
        }
    }

    static String sha256(Path file) throws java.io.IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The watched quantity: --monitor, else val_loss with validation data, else loss. */
    private String monitorName() {
        return monitor != null ? monitor : validationSplit > 0 ? "val_loss" : "loss";
    }

    private java.util.List<io.cnn4j.model.Callback> kerasCallbacks(PrintWriter out) {
        java.util.List<io.cnn4j.model.Callback> callbacks = new java.util.ArrayList<>();
        CommandLine cl = spec.commandLine();
        try {
            if (lrStepDecay != null) {
                double[] fn = stepDecay(cl);
                callbacks.add(io.cnn4j.model.LearningRateScheduler.stepDecay(fn[0], (int) fn[1]));
            }
            if (reduceLrOnPlateau) {
                callbacks.add(new io.cnn4j.model.ReduceLROnPlateau(monitorName(), reduceLrFactor, reduceLrPatience, "auto", 1e-4, 0, minLr));
            }
            if (saveBest != null) {
                callbacks.add(ModelCheckpoint.bestOnly(saveBest, monitorName(), "auto"));
            }
            if (csvLog != null) {
                callbacks.add(new io.cnn4j.io.CSVLogger(csvLog));
            }
            if (terminateOnNan) {
                callbacks.add(new io.cnn4j.model.TerminateOnNaN(out));
            }
            // last, so that restore_best_weights puts the weights back after the others have seen the final epoch
            if (earlyStoppingPatience != null) {
                callbacks.add(new io.cnn4j.model.EarlyStopping(monitorName(), earlyStoppingMinDelta, earlyStoppingPatience, "auto", null,
                        restoreBestWeights, 0));
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        return callbacks;
    }

    private double[] stepDecay(CommandLine cl) {
        String[] parts = lrStepDecay.split(",");
        try {
            if (parts.length == 2) {
                double f = Double.parseDouble(parts[0].trim());
                int n = Integer.parseInt(parts[1].trim());
                if (f > 0 && n >= 1) {
                    return new double[]{f, n};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandLine.ParameterException(cl, "--lr-step-decay must be FACTOR,EPOCHS with FACTOR > 0 and EPOCHS ≥ 1, e.g. 0.5,10; got '"
                + lrStepDecay + "'");
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        boolean watching = earlyStoppingPatience != null || reduceLrOnPlateau || saveBest != null;
        if (monitor != null && !java.util.Set.of("loss", "accuracy", "val_loss", "val_accuracy").contains(monitor)) {
            throw new CommandLine.ParameterException(cl, "--monitor must be loss, accuracy, val_loss or val_accuracy, got '" + monitor + "'");
        }
        if (watching && monitorName().startsWith("val_") && !(validationSplit > 0)) {
            throw new CommandLine.ParameterException(cl, "--monitor " + monitorName() + " needs validation data: add --validation-split, e.g. 0.1");
        }
        if (earlyStoppingPatience != null && earlyStoppingPatience < 0) {
            throw new CommandLine.ParameterException(cl, "--early-stopping-patience must be ≥ 0, got " + earlyStoppingPatience);
        }
        if (restoreBestWeights && earlyStoppingPatience == null) {
            throw new CommandLine.ParameterException(cl, "--restore-best-weights needs --early-stopping-patience");
        }
        if (reduceLrOnPlateau && !(reduceLrFactor > 0 && reduceLrFactor < 1)) {
            throw new CommandLine.ParameterException(cl, "--reduce-lr-factor must be in (0, 1), got " + reduceLrFactor);
        }
        if (reduceLrPatience < 0 || !(minLr >= 0)) {
            throw new CommandLine.ParameterException(cl, "--reduce-lr-patience and --min-lr must be ≥ 0, got " + reduceLrPatience + " and " + minLr);
        }
        if (lrStepDecay != null) {
            stepDecay(cl);
        }
        if (epochs < 1) {
            throw new CommandLine.ParameterException(cl, "--epochs must be ≥ 1, got " + epochs);
        }
        batch.get(cl);
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new CommandLine.ParameterException(cl, "--validation-split must be in [0, 1), got " + validationSplit);
        }
        threads.check(cl);
        if (verbose < 0 || verbose > 2) {
            throw new CommandLine.ParameterException(cl, "--verbose must be 0, 1 or 2, got " + verbose);
        }
        if (shift < 0) {
            throw new CommandLine.ParameterException(cl, "--shift must be ≥ 0, got " + shift);
        }
        if (!optimizer.equalsIgnoreCase("sgd") && !optimizer.equalsIgnoreCase("adam")) {
            throw new CommandLine.ParameterException(cl, "--optimizer must be sgd or adam, got '" + optimizer + "'");
        }
        if (data.dataset != null) {
            try {
                io.cnn4j.data.Datasets.candidates(data.dataset, io.cnn4j.data.Datasets.Lookup.fromEnvironment(null));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        if (!ModelSource.isBuiltIn(model) && !java.nio.file.Files.exists(Path.of(model))) {
            throw new CommandLine.ParameterException(cl, "--model '" + model + "' is neither a built-in model ("
                    + String.join(", ", io.cnn4j.model.Architectures.NAMES) + ") nor an existing file");
        }
    }

    private Optimizer optimizer() {
        CommandLine cl = spec.commandLine();
        try {
            if (optimizer.equalsIgnoreCase("sgd")) {
                return new SGD(lr == null ? 0.01 : lr, momentum, nesterov, decay);
            }
            return new Adam(new Adam.Config(lr == null ? 0.001 : lr, 0.9, 0.999, 1e-7, decay));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }
}
