package io.cnn4j.model;

/**
 * Thrown by fit when a batch's loss is NaN or infinite; Keras counterpart: {@code keras.callbacks.TerminateOnNaN}. Training stops before that batch's update,
 * so the model keeps the weights of the last good step.
 */
public final class NonFiniteLossException extends ArithmeticException {
    private final int epoch;
    private final int batch;

    public NonFiniteLossException(String message, int epoch, int batch) {
        super(message);
        this.epoch = epoch;
        this.batch = batch;
    }

    public int epoch() {
        return epoch;
    }

    public int batch() {
        return batch;
    }
}
