package io.cnn4j.study;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.io.AtomicFiles;
import io.cnn4j.io.ModelFiles;
import io.cnn4j.io.SavedModel;
import io.cnn4j.io.TrainingState;
import io.cnn4j.layers.Parameter;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Shapes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Trial checkpoints as cnn4j model files ({@link ModelFiles}: architecture, weights, optimizer
 * state, training state; atomic writes, checksummed reads), one {@code <trial>.cnn4j} per trial.
 * The study's epoch records (with their times) ride in the file's metadata.
 *
 * <p>Every variant, including those with MaxPoolingDropout2D or DropBlock2D, is saved as it is.
 * Restoring copies weights and optimizer state into the trial's own freshly built model, checking
 * every shape.
 */
public final class ModelFilesCheckpointStore implements CheckpointStore {
    private final Path dir;

    public ModelFilesCheckpointStore(Path dir) {
        this.dir = dir;
    }

    public Path file(String trialId) {
        return dir.resolve(trialId + ModelFiles.EXTENSION);
    }

    @Override
    public void save(String trialId, Sequential model, List<EpochRecord> epochs) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(file(trialId), encode(trialId, model, epochs));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint of trial " + trialId + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<List<EpochRecord>> restore(String trialId, Sequential model) {
        Path f = file(trialId);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(decode(Files.readAllBytes(f), trialId, model, f.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot resume trial " + trialId + " from " + f + ": " + e.getMessage()
                    + " (delete the file to restart this trial from scratch)", e);
        }
    }

    /**
     * A checkpoint's content: a cnn4j model file with weights, optimizer and training state, and the
     * study's epoch records in its metadata. Other stores (on a cluster's file system) write the same bytes.
     */
    public static byte[] encode(String trialId, Sequential model, List<EpochRecord> epochs) {
        Map<String, List<Double>> history = new LinkedHashMap<>();
        for (EpochRecord r : epochs) {
            history.computeIfAbsent("loss", k -> new ArrayList<>()).add(r.loss());
            history.computeIfAbsent("accuracy", k -> new ArrayList<>()).add(r.accuracy());
            if (!Double.isNaN(r.valLoss())) {
                history.computeIfAbsent("val_loss", k -> new ArrayList<>()).add(r.valLoss());
                history.computeIfAbsent("val_accuracy", k -> new ArrayList<>()).add(r.valAccuracy());
            }
        }
        ObjectNode metadata = ResultsFile.JSON.createObjectNode();
        metadata.put("study_trial", trialId);
        metadata.set("study_epochs", ResultsFile.JSON.valueToTree(epochs));
        return ModelFiles.encode(model, new TrainingState(epochs.size(), history), metadata);
    }

    /**
     * Restores a checkpoint's content (see {@link #encode}) into {@code model} and returns its epoch
     * records; {@code where} names the file in the error, which says how to start the trial afresh.
     */
    public static List<EpochRecord> decode(byte[] bytes, String trialId, Sequential model, String where) {
        Path f = Path.of(where);
        try {
            SavedModel saved = ModelFiles.decode(bytes, f, null);
            copyState(saved.model(), model, f);
            JsonNode epochs = saved.metadata().get("study_epochs");
            if (epochs == null || !epochs.isArray()) {
                throw new IOException(where + ": no study epoch records in the metadata (not a study checkpoint?)");
            }
            List<EpochRecord> records = ResultsFile.JSON.convertValue(epochs, new TypeReference<List<EpochRecord>>() {
            });
            int done = saved.training().map(TrainingState::epochsDone).orElse(-1);
            if (done != records.size()) {
                throw new IOException(where + ": training state says " + done + " epochs done but " + records.size() + " epoch records are stored");
            }
            return records;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot resume trial " + trialId + " from " + where + ": " + e.getMessage()
                    + " (delete the file to restart this trial from scratch)", e);
        }
    }

    @Override
    public void delete(String trialId) {
        try {
            Files.deleteIfExists(file(trialId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete checkpoint of trial " + trialId + ": " + e.getMessage(), e);
        }
    }

    /** Copies weights, optimizer state and iteration count from {@code from} to {@code to}, checking shapes. */
    static void copyState(Sequential from, Sequential to, Path file) {
        String where = file == null ? "" : file + ": ";
        // every weight, BatchNormalization's moving statistics included: a resumed trial must continue exactly
        List<Parameter> a = from.weights(), b = to.weights();
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(where + a.size() + " weight arrays, the trial's model has " + b.size());
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i).shape(), b.get(i).shape())) {
                throw new IllegalArgumentException(where + "weight " + i + " has shape " + Shapes.toString(a.get(i).shape())
                        + ", the trial's model needs " + Shapes.toString(b.get(i).shape()));
            }
            System.arraycopy(a.get(i).value(), 0, b.get(i).value(), 0, a.get(i).size());
        }
        if (from.optimizer() == null || to.optimizer() == null) {
            throw new IllegalArgumentException(where + "no optimizer state (the checkpoint or the model is not compiled)");
        }
        List<float[]> sa = from.optimizer().state(from.parameters()), sb = to.optimizer().state(to.parameters());
        if (sa.size() != sb.size()) {
            throw new IllegalArgumentException(where + sa.size() + " optimizer state arrays, the trial's optimizer has " + sb.size());
        }
        for (int i = 0; i < sa.size(); i++) {
            if (sa.get(i).length != sb.get(i).length) {
                throw new IllegalArgumentException(where + "optimizer state " + i + " has " + sa.get(i).length + " values, needs " + sb.get(i).length);
            }
            System.arraycopy(sa.get(i), 0, sb.get(i), 0, sa.get(i).length);
        }
        to.optimizer().setIterations(from.optimizer().iterations());
    }
}
