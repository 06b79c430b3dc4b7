package io.cnn4j.random;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Derives independent seeds from a run's seed by role, so that every consumer of randomness
 * (weight initialisation of the j-th weighted layer, data order of epoch e, the masks of the s-th
 * stochastic layer in epoch e) gets its own stream that does not depend on what other consumers
 * drew; no Keras counterpart (Keras passes seeds or a {@code keras.random.SeedGenerator}). Two models that differ only in where a dropout layer sits therefore start from the same
 * weights and see the same batches: common random numbers for paired comparisons.
 *
 * <p>The mixing is SplitMix64's finaliser (the one {@link SplittableRandom} uses), applied to the
 * seed, a hash of the role name and the indices in turn.
 */
public final class Seeds {
    private Seeds() {
    }

    public static long derive(long seed, String role, long... indices) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (byte b : role.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h + (b & 0xFF));
        }
        for (long i : indices) {
            h = mix(h ^ mix(i + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    public static SplittableRandom random(long seed, String role, long... indices) {
        return new SplittableRandom(derive(seed, role, indices));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
