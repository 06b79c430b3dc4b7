package io.cnn4j.study;

/** Progress of trials, for the live view. Called from the trials' worker threads. */
public interface TrialListener {
    default void trialSkipped(Trial trial) {
    }

    /** {@code firstEpoch} > 0 when the trial resumes from a checkpoint. */
    default void trialStarted(Trial trial, int firstEpoch, int stepsPerEpoch) {
    }

    default void batchEnd(Trial trial, int epoch, int batch, double meanLoss, double meanAccuracy) {
    }

    default void epochEnd(Trial trial, EpochRecord record) {
    }

    default void trialEnd(TrialResult result) {
    }

    TrialListener NONE = new TrialListener() {
    };
}
