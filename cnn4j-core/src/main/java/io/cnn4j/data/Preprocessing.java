package io.cnn4j.data;

import io.cnn4j.random.Seeds;
import io.cnn4j.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Data preparation steps, each a plain function: scaling pixels to [0, 1], a seeded shuffle and a
 * validation split; Keras counterparts: the {@code Rescaling(1/255)} layer and {@code fit}'s {@code shuffle} and {@code validation_split}. Per-channel standardisation is {@link Standardizer} (fit on train, apply to test).
 */
public final class Preprocessing {
    private Preprocessing() {
    }

    /** Unsigned bytes to floats in [0, 1] (value / 255), same shape. */
    public static Tensor scale(UByteArray pixels) {
        return pixels.toTensor(255f);
    }

    /** A training and a validation part. */
    public record Split(Dataset train, Dataset validation) {
    }

    /**
     * Keras' {@code validation_split}: the LAST {@code fraction} of the items (before any shuffling)
     * become the validation set. Shuffle first with {@link #shuffle} for a random split.
     */
    public static Split validationSplit(Dataset d, double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + fraction);
        }
        int n = d.size();
        int nVal = (int) (n * fraction);
        if (nVal == 0 || nVal == n) {
            throw new IllegalArgumentException("validation split " + fraction + " of " + n + " items leaves an empty part");
        }
        return new Split(d.slice(0, n - nVal), d.slice(n - nVal, nVal));
    }

    /** The items in an order drawn from {@code seed} (stream "data-shuffle"): Fisher–Yates, reproducible. */
    public static Dataset shuffle(Dataset d, long seed) {
        int[] order = permutation(d.size(), Seeds.random(seed, "data-shuffle"));
        int[] labels = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            labels[i] = d.labels()[order[i]];
        }
        return new Dataset(d.name(), d.x().gather(order), labels, d.classes());
    }

    /** A random permutation of 0..n-1. */
    public static int[] permutation(int n, SplittableRandom r) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** The first {@code n} items (all when n ≥ size): for quick runs on part of a data set. */
    public static Dataset head(Dataset d, int n) {
        return n >= d.size() ? d : d.slice(0, n);
    }
}
