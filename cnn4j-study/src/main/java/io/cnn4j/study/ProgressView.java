package io.cnn4j.study;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live view of a running study. On a terminal it redraws one line per running trial (epoch,
 * batch, running loss and accuracy) twice a second; otherwise (a log file, CI) it prints one plain
 * line per finished epoch and per finished trial.
 */
public final class ProgressView implements TrialListener, AutoCloseable {
    private final PrintStream out;
    private final boolean terminal;
    private final int total;
    private final AtomicInteger done = new AtomicInteger();
    private final int alreadyDone;
    private final long start = System.nanoTime();
    private final Map<String, String> running = new ConcurrentSkipListMap<>();
    private final Map<String, Integer> steps = new ConcurrentHashMap<>();
    private final Map<String, Integer> firstEpochs = new ConcurrentHashMap<>();
    private final Thread redraw;
    private volatile boolean closed;
    private int drawnLines;

    public ProgressView(PrintStream out, boolean terminal, int total, int alreadyDone) {
        this.out = out;
        this.terminal = terminal;
        this.total = total;
        this.done.set(alreadyDone);
        this.alreadyDone = alreadyDone;
        if (terminal) {
            redraw = new Thread(() -> {
                while (!closed) {
                    draw();
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "cnn4j-progress");
            redraw.setDaemon(true);
            redraw.start();
        } else {
            redraw = null;
        }
    }

    private String label(Trial t) {
        return String.format(Locale.ROOT, "%-42s seed %d", t.variant().name(), t.seed());
    }

    @Override
    public void trialStarted(Trial trial, int firstEpoch, int stepsPerEpoch) {
        steps.put(trial.id(), stepsPerEpoch);
        firstEpochs.put(trial.id(), firstEpoch);
        running.put(trial.id(), label(trial) + (firstEpoch > 0 ? "  resumed at epoch " + (firstEpoch + 1) : "  starting"));
        if (!terminal) {
            plain("start " + label(trial) + (firstEpoch > 0 ? " (resumed from the checkpoint after epoch " + firstEpoch + ")" : ""));
        }
    }

    @Override
    public void batchEnd(Trial trial, int epoch, int batch, double meanLoss, double meanAccuracy) {
        if (terminal) {
            running.put(trial.id(), String.format(Locale.ROOT, "%s  epoch %d/%d  batch %d/%d  loss %.4f  acc %.4f", label(trial), epoch + 1,
                    trial.training().epochs(), batch + 1, steps.getOrDefault(trial.id(), 0), meanLoss, meanAccuracy));
        }
    }

    @Override
    public void epochEnd(Trial trial, EpochRecord r) {
        if (!terminal) {
            plain(String.format(Locale.ROOT, "  %s  epoch %d/%d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  (%.1f s)", label(trial),
                    r.epoch() + 1, trial.training().epochs(), r.loss(), r.accuracy(), r.valLoss(), r.valAccuracy(), r.seconds()));
        }
    }

    @Override
    public void trialEnd(TrialResult result) {
        running.remove(result.trial().id());
        int d = done.incrementAndGet();
        String line = String.format(Locale.ROOT, "done  %s  test acc %.4f  gap %+.4f  (%.0f s)  [%s]", label(result.trial()),
                result.testAccuracy(), result.gap(), result.seconds(), counts(d));
        if (terminal) {
            synchronized (this) {
                clear();
                out.println(line);
            }
        } else {
            plain(line);
        }
    }

    /** Trials done / running / left and the time left at this run's pace so far (trials finished per second of wall time). */
    private String counts(int d) {
        int left = Math.max(0, total - d);
        String s = String.format(Locale.ROOT, "%d/%d trials done, %d running, %d left", d, total, running.size(), left);
        int thisRun = d - alreadyDone;
        if (left > 0 && thisRun > 0) {
            double seconds = (System.nanoTime() - start) / 1e9 * left / thisRun;
            s += seconds < 120 ? String.format(Locale.ROOT, ", ETA %.0f s", seconds) : String.format(Locale.ROOT, ", ETA %.0f min", seconds / 60);
        }
        return s;
    }

    private synchronized void plain(String line) {
        out.println(line);
        out.flush();
    }

    private void clear() {
        for (int i = 0; i < drawnLines; i++) {
            out.print("\033[1A\033[2K");
        }
        drawnLines = 0;
    }

    private synchronized void draw() {
        clear();
        for (String s : running.values()) {
            out.println(s);
        }
        out.println(counts(done.get()));
        drawnLines = running.size() + 1;
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        if (redraw != null) {
            redraw.interrupt();
            try {
                redraw.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                clear();
            }
        }
    }
}
