package io.cnn4j.model;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-style progress without dependencies: "Epoch 1/10", then on a terminal a bar redrawn in
 * place with loss and ETA ({@code verbose = 1}); when output is not a terminal, or with
 * {@code verbose = 2}, one line per epoch.
 */
public final class ProgressPrinter implements Callback {
    private final PrintStream out;
    private final int verbose;
    private final boolean terminal;
    private int epochs;
    private int steps;
    private long epochStart;
    private long lastDraw;

    public ProgressPrinter(PrintStream out, int verbose, boolean terminal) {
        this.out = out;
        this.verbose = verbose;
        this.terminal = terminal;
    }

    @Override
    public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
        this.epochs = epochs;
        this.steps = stepsPerEpoch;
    }

    @Override
    public void onEpochBegin(int epoch) {
        out.println("Epoch " + (epoch + 1) + "/" + epochs);
        epochStart = System.nanoTime();
        lastDraw = 0;
    }

    @Override
    public void onBatchEnd(int batch, double meanLoss, double meanAccuracy) {
        if (verbose != 1 || !terminal) {
            return;
        }
        long now = System.nanoTime();
        if (batch + 1 < steps && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        double elapsed = (now - epochStart) / 1e9;
        double eta = elapsed / (batch + 1) * (steps - batch - 1);
        out.print("\r" + bar(batch + 1) + " - ETA: " + formatSeconds(eta) + " - loss: " + fmt(meanLoss)
                + (Double.isNaN(meanAccuracy) ? "" : " - accuracy: " + fmt(meanAccuracy)) + "   ");
        out.flush();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double elapsed = (System.nanoTime() - epochStart) / 1e9;
        StringBuilder sb = new StringBuilder();
        if (verbose == 1 && terminal) {
            sb.append('\r');
        }
        sb.append(bar(steps)).append(" - ").append(formatSeconds(elapsed)).append(' ')
                .append(Math.round(elapsed * 1000 / Math.max(1, steps))).append("ms/step");
        logs.forEach((k, v) -> sb.append(" - ").append(k).append(": ").append(fmt(v)));
        out.println(sb + "   ");
    }

    private String bar(int done) {
        int width = 30;
        int filled = steps == 0 ? width : (int) ((long) width * done / steps);
        StringBuilder sb = new StringBuilder();
        String count = String.valueOf(steps);
        sb.append(String.format(Locale.ROOT, "%" + count.length() + "d/%s [", done, count));
        for (int i = 0; i < width; i++) {
            sb.append(i < filled - 1 || (i == filled - 1 && done == steps) ? '=' : i == filled - 1 ? '>' : '.');
        }
        return sb.append(']').toString();
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String formatSeconds(double s) {
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", (long) s / 3600, ((long) s / 60) % 60, (long) s % 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%d:%02d", (long) s / 60, (long) s % 60);
        }
        return String.format(Locale.ROOT, "%ds", Math.round(s));
    }
}
