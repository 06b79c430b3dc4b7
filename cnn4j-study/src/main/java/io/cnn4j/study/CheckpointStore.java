package io.cnn4j.study;

import io.cnn4j.model.Sequential;

import java.util.List;
import java.util.Optional;

/**
 * Where a trial keeps its state at epoch boundaries so an interrupted study resumes exactly:
 * weights, optimizer state (moments and iteration count) and the epochs logged so far.
 */
public interface CheckpointStore {
    /**
     * Restores the trial's last checkpoint into {@code model} (built and compiled with the same
     * variant, seed and optimizer) and returns the epochs it covers, or empty when there is none.
     */
    Optional<List<EpochRecord>> restore(String trialId, Sequential model);

    /** Saves atomically: after a crash either the previous or this checkpoint is there, never a mix. */
    void save(String trialId, Sequential model, List<EpochRecord> epochs);

    void delete(String trialId);
}
