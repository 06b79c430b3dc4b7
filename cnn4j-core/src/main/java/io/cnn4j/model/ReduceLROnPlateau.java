package io.cnn4j.model;

import io.cnn4j.optim.Optimizer;

import java.util.Map;

/**
 * Keras' {@code ReduceLROnPlateau}: multiplies the optimizer's learning rate by {@code factor}
 * when the monitored quantity has not improved by more than {@code minDelta} for {@code patience}
 * epochs, never below {@code minLr}, then waits {@code cooldown} epochs before counting again.
 * Keras' defaults: monitor val_loss, factor 0.1, patience 10, mode auto, min_delta 1e-4,
 * cooldown 0, min_lr 0.
 */
public final class ReduceLROnPlateau implements Callback {
    private final Monitor monitor;
    private final double factor;
    private final int patience;
    private final double minDelta;
    private final int cooldown;
    private final double minLr;

    private Sequential model;
    private double best;
    private int wait;
    private int cooldownCounter;

    /**
     * @param monitor  Keras' {@code monitor}, e.g. "val_loss"
     * @param factor   the learning rate is multiplied by it, in (0, 1)
     * @param patience epochs without improvement before a reduction (≥ 0)
     * @param mode     "auto", "min" or "max"
     * @param minDelta the smallest change that counts as an improvement (≥ 0)
     * @param cooldown epochs after a reduction during which nothing is counted (≥ 0)
     * @param minLr    the learning rate is never set below it (≥ 0)
     */
    public ReduceLROnPlateau(String monitor, double factor, int patience, String mode, double minDelta, int cooldown, double minLr) {
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("ReduceLROnPlateau factor must be in (0, 1) (it multiplies the learning rate), got " + factor);
        }
        if (patience < 0 || cooldown < 0) {
            throw new IllegalArgumentException("ReduceLROnPlateau patience and cooldown must be ≥ 0, got " + patience + " and " + cooldown);
        }
        if (!(minDelta >= 0) || !(minLr >= 0) || Double.isInfinite(minDelta) || Double.isInfinite(minLr)) {
            throw new IllegalArgumentException("ReduceLROnPlateau min_delta and min_lr must be finite and ≥ 0, got " + minDelta + " and " + minLr);
        }
        this.monitor = Monitor.of(monitor, mode);
        this.factor = factor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.cooldown = cooldown;
        this.minLr = minLr;
    }

    /** Keras' defaults with this monitor, factor and patience. */
    public ReduceLROnPlateau(String monitor, double factor, int patience) {
        this(monitor, factor, patience, "auto", 1e-4, 0, 0);
    }

    @Override
    public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
        this.model = model;
        best = monitor.worst();
        wait = 0;
        cooldownCounter = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double current = monitor.valueIn(logs, "ReduceLROnPlateau");
        if (cooldownCounter > 0) {
            cooldownCounter--;
            wait = 0;
        }
        if (monitor.improves(current, best, minDelta)) {
            best = current;
            wait = 0;
        } else if (cooldownCounter == 0) {
            wait++;
            if (wait >= patience) {
                Optimizer opt = model.optimizer();
                double old = opt.learningRate();
                // Keras compares with min_lr in float32, as the variable holds it
                if ((float) old > (float) minLr) {
                    opt.setLearningRate(Math.max(old * factor, minLr));
                    cooldownCounter = cooldown;
                    wait = 0;
                }
            }
        }
    }
}
