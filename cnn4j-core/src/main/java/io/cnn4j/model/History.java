package io.cnn4j.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link Sequential#fit} returns: per-epoch values of loss and metrics, as Keras' {@code History.history}. */
public final class History {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final List<Integer> epochs = new ArrayList<>();
    private final List<Double> seconds = new ArrayList<>();

    /** Adds one epoch's logs; public so that trainers outside this package (cnn4j-spark) keep history the way fit does. */
    public void record(int epoch, Map<String, Double> logs, double secondsTaken) {
        epochs.add(epoch);
        seconds.add(secondsTaken);
        logs.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }

    /** e.g. {@code history().get("loss")}. */
    public Map<String, List<Double>> history() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, Collections.unmodifiableList(v)));
        return Collections.unmodifiableMap(copy);
    }

    public List<Double> get(String metric) {
        List<Double> v = values.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + metric + "' in history; have " + values.keySet());
        }
        return Collections.unmodifiableList(v);
    }

    /** The epoch numbers recorded (0-based; with initialEpoch they start there). */
    public List<Integer> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** Wall-clock seconds of each epoch. */
    public List<Double> epochSeconds() {
        return Collections.unmodifiableList(seconds);
    }

    @Override
    public String toString() {
        return "History" + values;
    }
}
