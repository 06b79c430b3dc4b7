package io.cnn4j.losses;

import io.cnn4j.tensor.Tensor;

import java.util.Locale;

/** A loss over a batch: the mean over samples, as Keras' default reduction. */
public interface Loss {
    String name();

    /** Mean loss of predictions {@code yPred} (N, classes) against targets {@code yTrue}. */
    double compute(Tensor yPred, Tensor yTrue);

    /** dLoss/dyPred into {@code grad} (same shape as yPred). */
    void gradient(Tensor yPred, Tensor yTrue, Tensor grad);

    /**
     * dLoss/dlogits for a softmax output layer, written into {@code grad}: for cross-entropy this is
     * (p − y)/N, which stays exact where p underflows (the chain through −y/p would not).
     * Returns false when this loss has no such shortcut.
     */
    default boolean gradientThroughSoftmax(Tensor yPred, Tensor yTrue, Tensor grad) {
        return false;
    }

    /** Checks that targets fit predictions; the message names what was expected. */
    void checkTargets(Tensor yTrue, int[] predictionShape);

    /** Whether prediction row i is correct (the metric "accuracy" for this kind of target). */
    boolean correct(Tensor yPred, Tensor yTrue, int i);

    static Loss parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "categorical_crossentropy" -> new CategoricalCrossentropy();
            case "sparse_categorical_crossentropy" -> new SparseCategoricalCrossentropy();
            default -> throw new IllegalArgumentException("unknown loss '" + name
                    + "'; expected categorical_crossentropy or sparse_categorical_crossentropy");
        };
    }
}
