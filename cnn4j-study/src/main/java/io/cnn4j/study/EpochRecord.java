package io.cnn4j.study;

/**
 * One finished epoch of one trial (0-based epoch), as logged by {@link io.cnn4j.model.Sequential#fit},
 * plus the test metrics when the test set was evaluated after this epoch (NaN otherwise): it is,
 * whenever the validation loss reached a new minimum, so the test accuracy of the epoch Keras'
 * {@code EarlyStopping(restore_best_weights=True)} would restore is always on record.
 */
public record EpochRecord(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double seconds,
                          double testLoss, double testAccuracy) {
    /** An epoch without test metrics. */
    public EpochRecord(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double seconds) {
        this(epoch, loss, accuracy, valLoss, valAccuracy, seconds, Double.NaN, Double.NaN);
    }

    public boolean tested() {
        return !Double.isNaN(testAccuracy);
    }
}
