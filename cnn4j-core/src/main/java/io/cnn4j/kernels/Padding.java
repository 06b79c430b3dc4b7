package io.cnn4j.kernels;

import java.util.Locale;

/** Keras padding modes. */
public enum Padding {
    VALID, SAME;

    public static Padding parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("padding must be 'valid' or 'same', got null");
        }
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "valid" -> VALID;
            case "same" -> SAME;
            default -> throw new IllegalArgumentException("padding must be 'valid' or 'same', got '" + s + "'");
        };
    }

    public String keras() {
        return name().toLowerCase(Locale.ROOT);
    }
}
