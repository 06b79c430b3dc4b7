package io.cnn4j.study;

import java.util.Locale;

/**
 * Which weights of a trial the analysis compares: those after the last epoch trained, or those
 * after the epoch with the lowest validation loss (Keras {@code EarlyStopping(monitor="val_loss",
 * restore_best_weights=True)}).
 */
public enum Selection {
    LAST("last epoch"),
    BEST("best validation epoch");

    private final String description;

    Selection(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Selection parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "last" -> LAST;
            case "best" -> BEST;
            default -> throw new IllegalArgumentException("--select takes best or last, got '" + s + "'");
        };
    }
}
