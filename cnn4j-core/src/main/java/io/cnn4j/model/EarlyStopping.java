package io.cnn4j.model;

import java.util.List;
import java.util.Map;

/**
 * Keras' {@code EarlyStopping}: stops fit when the monitored quantity has not improved by more
 * than {@code minDelta} for {@code patience} epochs, following Keras 3's rules
 * ({@code keras/src/callbacks/early_stopping.py}): at each epoch end from {@code startFromEpoch}
 * on, the wait counter goes up; an improvement on the best value so far records it (and, with
 * {@code restoreBestWeights}, a copy of every weight) and resets the wait only if it also beats
 * {@code baseline}; otherwise training stops once the wait reaches {@code patience} (never after
 * the first epoch). With {@code restoreBestWeights} the weights of the best epoch are put back when
 * training ends, bit for bit, BatchNormalization's moving statistics included.
 *
 * <p>Unlike Keras, which warns and carries on, a monitor that is not in the logs (val_loss without
 * validation data) is an error.
 */
public final class EarlyStopping implements Callback {
    private final Monitor monitor;
    private final double minDelta;
    private final int patience;
    private final Double baseline;
    private final boolean restoreBestWeights;
    private final int startFromEpoch;

    private Sequential model;
    private int wait;
    private int stoppedEpoch = -1;
    private int bestEpoch = -1;
    private double best;
    private List<float[]> bestWeights;

    /**
     * @param monitor            Keras' {@code monitor}, e.g. "val_loss"
     * @param minDelta           the smallest change that counts as an improvement (its absolute value is used)
     * @param patience           epochs without improvement before stopping (≥ 0)
     * @param mode               "auto", "min" or "max"
     * @param baseline           a value the monitor must beat to reset the wait, or null
     * @param restoreBestWeights put the best epoch's weights back at the end of training
     * @param startFromEpoch     epochs to wait before watching (Keras' {@code start_from_epoch})
     */
    public EarlyStopping(String monitor, double minDelta, int patience, String mode, Double baseline, boolean restoreBestWeights,
                         int startFromEpoch) {
        if (patience < 0) {
            throw new IllegalArgumentException("EarlyStopping patience must be ≥ 0, got " + patience);
        }
        if (!Double.isFinite(minDelta)) {
            throw new IllegalArgumentException("EarlyStopping min_delta must be finite, got " + minDelta);
        }
        if (startFromEpoch < 0) {
            throw new IllegalArgumentException("EarlyStopping start_from_epoch must be ≥ 0, got " + startFromEpoch);
        }
        this.monitor = Monitor.of(monitor, mode);
        this.minDelta = Math.abs(minDelta);
        this.patience = patience;
        this.baseline = baseline;
        this.restoreBestWeights = restoreBestWeights;
        this.startFromEpoch = startFromEpoch;
    }

    /** EarlyStopping(monitor, patience=patience) with Keras' other defaults. */
    public EarlyStopping(String monitor, int patience) {
        this(monitor, 0, patience, "auto", null, false, 0);
    }

    @Override
    public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
        this.model = model;
        wait = 0;
        stoppedEpoch = -1;
        bestEpoch = -1;
        best = monitor.worst();
        bestWeights = null;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (epoch < startFromEpoch) {
            return;
        }
        double current = monitor.valueIn(logs, "EarlyStopping");
        if (restoreBestWeights && bestWeights == null) {
            // never improved yet: the current weights are the best so far
            bestWeights = model.getWeights();
            bestEpoch = epoch;
        }
        wait++;
        if (monitor.improves(current, best, minDelta)) {
            best = current;
            bestEpoch = epoch;
            if (restoreBestWeights) {
                bestWeights = model.getWeights();
            }
            if (baseline == null || monitor.improves(current, baseline, minDelta)) {
                wait = 0;
            }
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.stopTraining();
        }
    }

    @Override
    public void onTrainEnd(History history) {
        if (restoreBestWeights && bestWeights != null) {
            model.setWeights(bestWeights);
        }
    }

    /** The epoch (0-based) at which training was stopped, or −1 if it ran to the end. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The epoch (0-based) with the best monitored value, or −1 before any. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The best monitored value seen. */
    public double best() {
        return best;
    }
}
