package io.cnn4j.optim;

import io.cnn4j.layers.Parameter;

import java.util.List;

/**
 * Updates parameters from their gradients; Keras counterpart: {@code keras.optimizers.Optimizer}. State (moments, velocities) is kept per parameter in
 * the order of the list passed to {@link #step}, which must be the same list every time.
 */
public interface Optimizer {
    String name();

    /** One update from the accumulated gradients; increments {@link #iterations()}. */
    void step(List<Parameter> parameters);

    /** Number of updates done so far (Keras' {@code optimizer.iterations}). */
    long iterations();

    /** The learning rate the next step will use (after legacy decay, where any). */
    double currentLearningRate();

    /** The optimizer's state arrays (for checkpoints), allocating them for {@code parameters} if needed. */
    List<float[]> state(List<Parameter> parameters);

    /**
     * How many arrays of each parameter's size {@link #state} allocates (Adam: 2, SGD with momentum: 1,
     * plain SGD: 0), so that the model can check the heap before they are allocated. Unknown
     * optimizers count 2.
     *
     * @return state arrays per parameter
     */
    default int stateArraysPerParameter() {
        return 2;
    }

    /** Restores the iteration count; state arrays are filled through {@link #state(List)}. */
    void setIterations(long iterations);

    /** The hyperparameters, with the learning rate as last set by {@link #setLearningRate}. */
    OptimizerConfig config();

    /** The base learning rate (Keras' {@code optimizer.learning_rate}, before legacy decay). */
    default double learningRate() {
        return config().learningRate();
    }

    /**
     * Sets the base learning rate for the following steps (what Keras' ReduceLROnPlateau and
     * LearningRateScheduler assign to {@code optimizer.learning_rate}); state arrays are kept.
     */
    void setLearningRate(double learningRate);
}
