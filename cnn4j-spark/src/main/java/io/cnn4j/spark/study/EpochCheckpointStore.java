package io.cnn4j.spark.study;

import io.cnn4j.model.Sequential;
import io.cnn4j.study.CheckpointStore;
import io.cnn4j.study.EpochRecord;
import io.cnn4j.study.ModelFilesCheckpointStore;
import io.cnn4j.study.StudyStorage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Trial checkpoints keyed by trial id and epoch, {@code checkpoints/<trial>/epoch-NNNN.cnn4j}, each
 * written atomically, in the content {@link ModelFilesCheckpointStore} writes. A task that Spark
 * runs again (lost executor, speculation) continues from the highest epoch there; two attempts of
 * one trial never write the same file, and every file is complete.
 */
public final class EpochCheckpointStore implements CheckpointStore {
    static final String DIR = "checkpoints";
    private static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private final StudyStorage storage;

    public EpochCheckpointStore(StudyStorage storage) {
        this.storage = storage;
    }

    static String name(String trialId, int epochsDone) {
        return DIR + "/" + trialId + "/" + String.format(java.util.Locale.ROOT, "epoch-%04d.cnn4j", epochsDone);
    }

    /** Epochs covered by the newest checkpoint of the trial, -1 when there is none. */
    int newest(String trialId) throws IOException {
        int best = -1;
        for (String f : storage.list(DIR + "/" + trialId)) {
            if (f.matches("epoch-\\d{4,}\\.cnn4j")) {
                best = Math.max(best, Integer.parseInt(f.substring(6, f.length() - 6)));
            }
        }
        return best;
    }

    @Override
    public Optional<List<EpochRecord>> restore(String trialId, Sequential model) {
        String name = null;
        try {
            int n = newest(trialId);
            if (n < 0) {
                return Optional.empty();
            }
            name = name(trialId, n);
            return Optional.of(ModelFilesCheckpointStore.decode(storage.read(name, MAX_BYTES), trialId, model, storage.location(name)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume trial " + trialId + " from " + (name == null ? storage.location(DIR) : storage.location(name))
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(String trialId, Sequential model, List<EpochRecord> epochs) {
        String name = name(trialId, epochs.size());
        try {
            storage.write(name, ModelFilesCheckpointStore.encode(trialId, model, epochs));
            // older epochs are no longer needed once this one is complete
            for (String f : storage.list(DIR + "/" + trialId)) {
                String other = DIR + "/" + trialId + "/" + f;
                if (f.matches("epoch-\\d{4,}\\.cnn4j") && !other.equals(name) && Integer.parseInt(f.substring(6, f.length() - 6)) < epochs.size()) {
                    storage.delete(other);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + storage.location(name) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String trialId) {
        try {
            storage.delete(DIR + "/" + trialId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the checkpoints of trial " + trialId + ": " + e.getMessage(), e);
        }
    }
}
