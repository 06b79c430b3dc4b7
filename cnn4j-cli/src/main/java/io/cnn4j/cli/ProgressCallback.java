package io.cnn4j.cli;

import io.cnn4j.model.Callback;
import io.cnn4j.model.Sequential;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-style progress for the command line: on a terminal a progress bar per epoch (me.tongfei
 * progressbar) with the running loss and accuracy; when output is not a terminal (a log file, CI) one
 * plain line per epoch, so logs stay readable.
 */
final class ProgressCallback implements Callback {
    private final PrintWriter out;
    private final boolean terminal;
    private int epochs;
    private int steps;
    private long start;
    private ProgressBar bar;

    ProgressCallback(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
        this.epochs = epochs;
        this.steps = stepsPerEpoch;
    }

    @Override
    public void onEpochBegin(int epoch) {
        start = System.nanoTime();
        if (terminal) {
            out.println("Epoch " + (epoch + 1) + "/" + epochs);
            out.flush();
            bar = new ProgressBarBuilder().setTaskName("").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(200).build();
        }
    }

    @Override
    public void onBatchEnd(int batch, double meanLoss, double meanAccuracy) {
        if (bar != null) {
            bar.stepTo(batch + 1);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss: %.4f", meanLoss)
                    + (Double.isNaN(meanAccuracy) ? "" : String.format(Locale.ROOT, " - accuracy: %.4f", meanAccuracy)));
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        StringBuilder sb = new StringBuilder();
        if (!terminal) {
            sb.append("Epoch ").append(epoch + 1).append('/').append(epochs).append(" - ");
        }
        sb.append(String.format(Locale.ROOT, "%.1fs %dms/step", secs, Math.round(secs * 1000 / Math.max(1, steps))));
        logs.forEach((k, v) -> sb.append(" - ").append(k).append(": ").append(String.format(Locale.ROOT, "%.4f", v)));
        out.println(sb);
        out.flush();
    }
}
