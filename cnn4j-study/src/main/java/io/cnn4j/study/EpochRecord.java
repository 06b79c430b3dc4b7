package io.cnn4j.study;

/** One finished epoch of one trial (0-based epoch), as logged by {@link io.cnn4j.model.Sequential#fit}. */
public record EpochRecord(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double seconds) {
}
