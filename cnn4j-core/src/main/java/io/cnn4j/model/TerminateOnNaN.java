package io.cnn4j.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Keras' {@code TerminateOnNaN}: when a batch's loss is NaN or infinite, training stops and fit
 * returns its History instead of throwing {@link NonFiniteLossException}. Unlike Keras, the bad
 * batch's update is not applied (fit checks the loss before the update), so the model keeps the
 * last finite weights; the unfinished epoch is not recorded.
 */
public final class TerminateOnNaN implements Callback {
    private final Appendable out;
    private int terminatedEpoch = -1;

    /** Reports the termination on standard output, as Keras does. */
    public TerminateOnNaN() {
        this(System.out);
    }

    /** @param out where the one-line report goes (a PrintStream or PrintWriter), or null for none */
    public TerminateOnNaN(Appendable out) {
        this.out = out;
    }

    @Override
    public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
        terminatedEpoch = -1;
    }

    @Override
    public boolean onNonFiniteLoss(int epoch, int batch, double loss) {
        terminatedEpoch = epoch;
        if (out != null) {
            try {
                out.append(String.format(Locale.ROOT, "Epoch %d, batch %d: invalid loss %s, terminating training%n", epoch + 1, batch + 1, loss));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return true;
    }

    /** The epoch (0-based) in which training was terminated, or −1. */
    public int terminatedEpoch() {
        return terminatedEpoch;
    }
}
