package io.cnn4j.model;

import java.util.Map;

/**
 * Keras' {@code LearningRateScheduler}: at the start of every epoch sets the optimizer's learning
 * rate to {@code schedule(epoch, current learning rate)}.
 */
public final class LearningRateScheduler implements Callback {
    /** Keras' {@code schedule(epoch, lr)}: the learning rate for the 0-based {@code epoch}. */
    @FunctionalInterface
    public interface Schedule {
        double learningRate(int epoch, double currentLearningRate);
    }

    private final Schedule schedule;
    private Sequential model;

    public LearningRateScheduler(Schedule schedule) {
        if (schedule == null) {
            throw new IllegalArgumentException("LearningRateScheduler needs a schedule, got null");
        }
        this.schedule = schedule;
    }

    /** lr · factor^⌊epoch / every⌋ from the optimizer's initial learning rate (a step decay). */
    public static LearningRateScheduler stepDecay(double factor, int every) {
        if (!(factor > 0) || every < 1) {
            throw new IllegalArgumentException("step decay needs factor > 0 and every ≥ 1, got " + factor + " and " + every);
        }
        double[] initial = {Double.NaN};
        return new LearningRateScheduler((epoch, lr) -> {
            if (Double.isNaN(initial[0])) {
                initial[0] = lr;
            }
            return initial[0] * Math.pow(factor, epoch / every);
        });
    }

    @Override
    public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
        this.model = model;
    }

    @Override
    public void onEpochBegin(int epoch) {
        double lr = schedule.learningRate(epoch, model.optimizer().learningRate());
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("LearningRateScheduler: the schedule gave learning rate " + lr + " for epoch " + epoch
                    + "; it must be positive and finite");
        }
        model.optimizer().setLearningRate(lr);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
    }
}
