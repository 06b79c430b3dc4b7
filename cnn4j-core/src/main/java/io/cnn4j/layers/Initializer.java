package io.cnn4j.layers;

import java.util.Locale;
import java.util.SplittableRandom;

/** Keras weight initializers. fanIn / fanOut follow Keras: for a conv kernel (kh, kw, C, F) they are kh·kw·C and kh·kw·F. */
public enum Initializer {
    GLOROT_UNIFORM, HE_UNIFORM, ZEROS, ONES;

    public static Initializer parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("initializer name is null");
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "glorot_uniform", "glorotuniform" -> GLOROT_UNIFORM;
            case "he_uniform", "heuniform" -> HE_UNIFORM;
            case "zeros", "zero" -> ZEROS;
            case "ones", "one" -> ONES;
            default -> throw new IllegalArgumentException("unknown initializer '" + name
                    + "'; expected one of glorot_uniform, he_uniform, zeros, ones");
        };
    }

    public String keras() {
        return name().toLowerCase(Locale.ROOT);
    }

    public void fill(float[] w, int fanIn, int fanOut, SplittableRandom random) {
        switch (this) {
            case ZEROS -> java.util.Arrays.fill(w, 0f);
            case ONES -> java.util.Arrays.fill(w, 1f);
            case GLOROT_UNIFORM -> uniform(w, Math.sqrt(6.0 / (fanIn + fanOut)), random);
            case HE_UNIFORM -> uniform(w, Math.sqrt(6.0 / fanIn), random);
        }
    }

    private static void uniform(float[] w, double limit, SplittableRandom random) {
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
    }
}
