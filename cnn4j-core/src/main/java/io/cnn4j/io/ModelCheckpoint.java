package io.cnn4j.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.model.Callback;
import io.cnn4j.model.Monitor;
import io.cnn4j.model.Sequential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keras' {@code ModelCheckpoint} for resuming: after every epoch it writes {@code checkpoint.cnn4j}
 * in its directory — the model with weights and optimizer state, the number of epochs done and the
 * history so far — atomically, so a run killed at any moment leaves the previous complete
 * checkpoint. To resume:
 *
 * <pre>{@code
 * Optional<SavedModel> cp = ModelCheckpoint.latest(dir, null);
 * Sequential model = cp.map(SavedModel::model).orElseGet(() -> freshModel());
 * int start = cp.flatMap(SavedModel::training).map(TrainingState::epochsDone).orElse(0);
 * model.fit(x, y, options.initialEpoch(start).callbacks(new ModelCheckpoint(dir, cp.flatMap(SavedModel::training).orElse(null), null)));
 * }</pre>
 *
 * Because fit derives the data order, dropout masks and augmentation of epoch e from (seed, e), the
 * resumed run ends with the same weights as an uninterrupted one (same seed and thread count).
 *
 * <p>{@link #bestOnly} gives Keras' {@code ModelCheckpoint(filepath, monitor, save_best_only=True,
 * mode)}: the file is written only at the end of an epoch whose monitored value beats the best so
 * far (no min_delta, as Keras), so it always holds the best model seen. Keras' {@code {epoch}} and
 * {@code {epoch:02d}} in the file name are replaced by the 1-based epoch.
 */
public final class ModelCheckpoint implements Callback {
    public static final String FILE_NAME = "checkpoint" + ModelFiles.EXTENSION;

    private final String filepath;
    private final Monitor monitor;
    private final Map<String, List<Double>> history = new LinkedHashMap<>();
    private final ObjectNode metadata;
    private Sequential model;
    private double best;
    private int bestEpoch = -1;

    public ModelCheckpoint(Path dir) {
        this(dir, null, null);
    }

    /**
     * @param resumedFrom the training state of the checkpoint being resumed (its history is continued), or null
     * @param metadata stored in every checkpoint (e.g. data set and preprocessing), or null
     */
    public ModelCheckpoint(Path dir, TrainingState resumedFrom, ObjectNode metadata) {
        this(dir.resolve(FILE_NAME).toString(), null, resumedFrom, metadata);
    }

    private ModelCheckpoint(String filepath, Monitor monitor, TrainingState resumedFrom, ObjectNode metadata) {
        this.filepath = filepath;
        this.monitor = monitor;
        this.metadata = metadata;
        if (resumedFrom != null) {
            resumedFrom.history().forEach((k, v) -> history.put(k, new ArrayList<>(v)));
        }
    }

    /**
     * Keras' {@code ModelCheckpoint(filepath, monitor=monitor, save_best_only=True, mode=mode)}.
     *
     * @param filepath the model file to write; {@code {epoch}} / {@code {epoch:02d}} become the 1-based epoch
     * @param monitor  e.g. "val_loss" or "val_accuracy"
     * @param mode     "auto", "min" or "max"
     * @return the callback
     */
    public static ModelCheckpoint bestOnly(Path filepath, String monitor, String mode) {
        return new ModelCheckpoint(filepath.toString(), Monitor.of(monitor, mode), null, null);
    }

    /** The checkpoint file this callback writes (for {@link #bestOnly} with {@code {epoch}}: the last one written, or the template). */
    public Path file() {
        return Path.of(bestEpoch >= 0 ? fileFor(bestEpoch) : filepath);
    }

    /** The epoch (0-based) of the last file written by a {@link #bestOnly} checkpoint, or −1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    private String fileFor(int epoch) {
        return filepath.replace("{epoch:02d}", String.format(java.util.Locale.ROOT, "%02d", epoch + 1))
                .replace("{epoch}", Integer.toString(epoch + 1));
    }

    @Override
    public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
        this.model = model;
        if (monitor != null) {
            best = monitor.worst();
            bestEpoch = -1;
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.forEach((k, v) -> history.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        Path target = Path.of(fileFor(epoch));
        if (monitor != null) {
            double current = monitor.valueIn(logs, "ModelCheckpoint");
            if (!monitor.improves(current, best, 0)) {
                return;
            }
            best = current;
            bestEpoch = epoch;
        }
        try {
            ModelFiles.save(model, target, new TrainingState(epoch + 1, history), metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint in {@code dir}, if there is one; a damaged one is an error, not "none". */
    public static Optional<SavedModel> latest(Path dir, Gemm gemm) throws IOException {
        Path f = dir.resolve(FILE_NAME);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        return Optional.of(ModelFiles.read(f, gemm));
    }
}
