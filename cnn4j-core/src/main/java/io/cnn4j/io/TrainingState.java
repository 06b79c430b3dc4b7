package io.cnn4j.io;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a training run stands, saved in checkpoints: {@code epochsDone} completed epochs (the
 * {@code initialEpoch} to resume with) and the per-epoch history so far (loss, accuracy, val_…); Keras counterpart: the state {@code keras.callbacks.BackupAndRestore} keeps.
 */
public record TrainingState(int epochsDone, Map<String, List<Double>> history) {
    public TrainingState {
        if (epochsDone < 0) {
            throw new IllegalArgumentException("epochs done must be ≥ 0, got " + epochsDone);
        }
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        history.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        history = java.util.Collections.unmodifiableMap(copy);
    }
}
