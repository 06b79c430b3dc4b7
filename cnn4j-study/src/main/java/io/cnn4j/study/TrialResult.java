package io.cnn4j.study;

import java.util.List;

/**
 * What a trial produces: its epochs and the final evaluation (inference mode, dropout off).
 *
 * @param testLoss         test loss after the last epoch trained
 * @param testAccuracy     test accuracy after the last epoch trained
 * @param trainAccuracy    accuracy on (up to the first few thousand) training images in inference
 *                         mode after the last epoch, for the generalisation gap train − test
 * @param bestEpoch        0-based epoch of the lowest validation loss (Keras EarlyStopping's
 *                         default monitor; lowest training loss when there is no validation set)
 * @param bestTestLoss     test loss of the weights after {@code bestEpoch}, i.e. what
 *                         {@code EarlyStopping(restore_best_weights=True)} would restore
 * @param bestTestAccuracy test accuracy of those weights
 * @param peakHeapMb       the JVM's peak heap use so far (shared by parallel trials)
 */
public record TrialResult(Trial trial, List<EpochRecord> epochs, double testLoss, double testAccuracy, double trainAccuracy,
                          int bestEpoch, double bestTestLoss, double bestTestAccuracy, double seconds, double peakHeapMb) {
    public TrialResult {
        epochs = List.copyOf(epochs);
    }

    /** A result without a separately selected best epoch: the last epoch counts as the best. */
    public TrialResult(Trial trial, List<EpochRecord> epochs, double testLoss, double testAccuracy, double trainAccuracy,
                       int bestEpoch, double seconds, double peakHeapMb) {
        this(trial, epochs, testLoss, testAccuracy, trainAccuracy, bestEpoch, testLoss, testAccuracy, seconds, peakHeapMb);
    }

    public double gap() {
        return trainAccuracy - testAccuracy;
    }

    /** Test accuracy under a model selection rule: the last epoch's or the best validation epoch's. */
    public double testAccuracy(Selection selection) {
        return selection == Selection.BEST ? bestTestAccuracy : testAccuracy;
    }
}
