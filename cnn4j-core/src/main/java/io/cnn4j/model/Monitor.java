package io.cnn4j.model;

import java.util.Locale;
import java.util.Map;

/**
 * The quantity a callback watches (Keras' {@code monitor} and {@code mode}) and which direction is
 * better; no Keras class of its own (each Keras callback repeats this logic). Mode "auto" minimises
 * a loss and maximises an accuracy (any name containing "acc" or "auc"), as Keras decides from
 * the metric's direction; other names need "min" or "max".
 *
 * @param name     a key of the epoch logs, e.g. "val_loss", "val_accuracy", "loss"
 * @param maximize whether larger is better
 */
public record Monitor(String name, boolean maximize) {
    public Monitor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("monitor must name a logged quantity such as val_loss, got '" + name + "'");
        }
    }

    /** From Keras' {@code monitor} and {@code mode} ("auto", "min" or "max"). */
    public static Monitor of(String monitor, String mode) {
        String m = mode == null ? "auto" : mode.toLowerCase(Locale.ROOT);
        return switch (m) {
            case "min" -> new Monitor(monitor, false);
            case "max" -> new Monitor(monitor, true);
            case "auto" -> {
                String metric = monitor == null ? "" : monitor.toLowerCase(Locale.ROOT).replaceFirst("^val_", "");
                if (metric.contains("acc") || metric.contains("auc")) {
                    yield new Monitor(monitor, true);
                }
                if (metric.contains("loss")) {
                    yield new Monitor(monitor, false);
                }
                throw new IllegalArgumentException("monitor '" + monitor + "': cannot tell whether it should be minimised or "
                        + "maximised; give mode \"min\" or \"max\"");
            }
            default -> throw new IllegalArgumentException("mode must be auto, min or max, got '" + mode + "'");
        };
    }

    /** The value to beat before any epoch: +∞ when minimising, −∞ when maximising. */
    public double worst() {
        return maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** Keras' {@code _is_improvement}: better than {@code reference} by more than {@code minDelta} (≥ 0). */
    public boolean improves(double current, double reference, double minDelta) {
        return maximize ? current - minDelta > reference : current + minDelta < reference;
    }

    /** This quantity from an epoch's logs; a clear error naming what is logged when it is not. */
    public double valueIn(Map<String, Double> logs, String callback) {
        Double v = logs.get(name);
        if (v == null) {
            throw new IllegalArgumentException(callback + " monitors '" + name + "', which is not logged; logged: "
                    + String.join(", ", logs.keySet()) + (name.startsWith("val_") ? " (val_ quantities need validation data)" : ""));
        }
        return v;
    }
}
