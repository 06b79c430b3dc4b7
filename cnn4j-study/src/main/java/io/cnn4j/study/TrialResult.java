package io.cnn4j.study;

import java.util.List;

/**
 * What a trial produces: its epochs and the final evaluation (inference mode, dropout off).
 *
 * @param trainAccuracy accuracy on (up to the first few thousand) training images in inference
 *                      mode, for the generalisation gap train − test
 * @param bestEpoch     0-based epoch of the highest validation accuracy (lowest training loss when
 *                      there is no validation set)
 * @param peakHeapMb    the JVM's peak heap use so far (shared by parallel trials)
 */
public record TrialResult(Trial trial, List<EpochRecord> epochs, double testLoss, double testAccuracy, double trainAccuracy,
                          int bestEpoch, double seconds, double peakHeapMb) {
    public TrialResult {
        epochs = List.copyOf(epochs);
    }

    public double gap() {
        return trainAccuracy - testAccuracy;
    }
}
