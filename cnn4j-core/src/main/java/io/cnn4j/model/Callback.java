package io.cnn4j.model;

import java.util.Map;

/** Hooks into {@link Sequential#fit}, as Keras callbacks. Epochs and batches count from 0. */
public interface Callback {
    default void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
    }

    default void onEpochBegin(int epoch) {
    }

    /** After each batch: the running mean loss and accuracy of the epoch so far (accuracy NaN when not tracked). */
    default void onBatchEnd(int batch, double meanLoss, double meanAccuracy) {
    }

    /** After each epoch with Keras' logs: loss, accuracy, val_loss, val_accuracy (those that apply). */
    default void onEpochEnd(int epoch, Map<String, Double> logs) {
    }

    default void onTrainEnd(History history) {
    }

    /**
     * A batch's loss is NaN or infinite (checked before its update). Return true to end training
     * quietly (fit then returns its History, as with Keras' TerminateOnNaN); if no callback does,
     * fit throws {@link NonFiniteLossException}.
     */
    default boolean onNonFiniteLoss(int epoch, int batch, double loss) {
        return false;
    }
}
