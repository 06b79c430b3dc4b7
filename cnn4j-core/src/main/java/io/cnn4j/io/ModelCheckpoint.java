package io.cnn4j.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.model.Callback;
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
 */
public final class ModelCheckpoint implements Callback {
    public static final String FILE_NAME = "checkpoint" + ModelFiles.EXTENSION;

    private final Path dir;
    private final Map<String, List<Double>> history = new LinkedHashMap<>();
    private final ObjectNode metadata;
    private Sequential model;

    public ModelCheckpoint(Path dir) {
        this(dir, null, null);
    }

    /**
     * @param resumedFrom the training state of the checkpoint being resumed (its history is continued), or null
     * @param metadata stored in every checkpoint (e.g. data set and preprocessing), or null
     */
    public ModelCheckpoint(Path dir, TrainingState resumedFrom, ObjectNode metadata) {
        this.dir = dir;
        this.metadata = metadata;
        if (resumedFrom != null) {
            resumedFrom.history().forEach((k, v) -> history.put(k, new ArrayList<>(v)));
        }
    }

    /** The checkpoint file this callback writes. */
    public Path file() {
        return dir.resolve(FILE_NAME);
    }

    @Override
    public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
        this.model = model;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.forEach((k, v) -> history.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        try {
            ModelFiles.save(model, file(), new TrainingState(epoch + 1, history), metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file() + ": " + e.getMessage(), e);
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
