package io.cnn4j.model;

import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras' keyword arguments of {@code fit}, as a record with withers:
 * {@code FitOptions.defaults().batchSize(32).epochs(10).validationSplit(0.1)}.
 *
 * @param verbose 0 silent, 1 a progress line per batch, 2 one line per epoch (Keras' values)
 * @param initialEpoch epoch to start at (Keras' initial_epoch): resuming from a checkpoint
 * @param augmentation applied in place to each gathered training batch, or null for none
 */
public record FitOptions(int batchSize, int epochs, double validationSplit, Tensor validationX, Tensor validationY,
                         boolean shuffle, int verbose, int initialEpoch, List<Callback> callbacks,
                         BatchAugmentation augmentation) {
    public FitOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        }
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be ≥ 0, got " + epochs);
        }
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("validation split must be in [0, 1), got " + validationSplit);
        }
        if ((validationX == null) != (validationY == null)) {
            throw new IllegalArgumentException("validation data needs both x and y");
        }
        if (verbose < 0 || verbose > 2) {
            throw new IllegalArgumentException("verbose must be 0, 1 or 2, got " + verbose);
        }
        if (initialEpoch < 0) {
            throw new IllegalArgumentException("initial epoch must be ≥ 0, got " + initialEpoch);
        }
        callbacks = List.copyOf(callbacks);
    }

    /** Without augmentation (the form before augmentation was added). */
    public FitOptions(int batchSize, int epochs, double validationSplit, Tensor validationX, Tensor validationY,
                      boolean shuffle, int verbose, int initialEpoch, List<Callback> callbacks) {
        this(batchSize, epochs, validationSplit, validationX, validationY, shuffle, verbose, initialEpoch, callbacks, null);
    }

    /** Keras defaults: batch 32, 1 epoch, no validation, shuffle, verbose 1. */
    public static FitOptions defaults() {
        return new FitOptions(32, 1, 0, null, null, true, 1, 0, List.of(), null);
    }

    public FitOptions batchSize(int v) {
        return new FitOptions(v, epochs, validationSplit, validationX, validationY, shuffle, verbose, initialEpoch, callbacks, augmentation);
    }

    public FitOptions epochs(int v) {
        return new FitOptions(batchSize, v, validationSplit, validationX, validationY, shuffle, verbose, initialEpoch, callbacks, augmentation);
    }

    public FitOptions validationSplit(double v) {
        return new FitOptions(batchSize, epochs, v, validationX, validationY, shuffle, verbose, initialEpoch, callbacks, augmentation);
    }

    public FitOptions validationData(Tensor x, Tensor y) {
        return new FitOptions(batchSize, epochs, validationSplit, x, y, shuffle, verbose, initialEpoch, callbacks, augmentation);
    }

    public FitOptions shuffle(boolean v) {
        return new FitOptions(batchSize, epochs, validationSplit, validationX, validationY, v, verbose, initialEpoch, callbacks, augmentation);
    }

    public FitOptions verbose(int v) {
        return new FitOptions(batchSize, epochs, validationSplit, validationX, validationY, shuffle, v, initialEpoch, callbacks, augmentation);
    }

    public FitOptions initialEpoch(int v) {
        return new FitOptions(batchSize, epochs, validationSplit, validationX, validationY, shuffle, verbose, v, callbacks, augmentation);
    }

    public FitOptions callbacks(Callback... more) {
        List<Callback> all = new ArrayList<>(callbacks);
        all.addAll(List.of(more));
        return new FitOptions(batchSize, epochs, validationSplit, validationX, validationY, shuffle, verbose, initialEpoch, all, augmentation);
    }

    /** Augments every training batch (validation and evaluation data are never augmented). */
    public FitOptions augmentation(BatchAugmentation a) {
        return new FitOptions(batchSize, epochs, validationSplit, validationX, validationY, shuffle, verbose, initialEpoch, callbacks, a);
    }
}
