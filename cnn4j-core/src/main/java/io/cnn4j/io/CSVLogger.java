package io.cnn4j.io;

import io.cnn4j.model.Callback;
import io.cnn4j.model.Sequential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keras' {@code CSVLogger(filename, separator=",", append=False)}: one row per epoch with the
 * 0-based epoch and every logged quantity, columns {@code epoch} then the log keys in sorted order
 * (as Keras, fixed by the first epoch; a key missing later is written "NA"). With {@code append} an
 * existing file is continued without a second header. Unlike Keras, which appends to an open file,
 * the whole file is rewritten atomically after every epoch ({@link AtomicFiles}), so a killed run
 * never leaves a half-written row. It lives in io, beside ModelCheckpoint, because it writes files.
 */
public final class CSVLogger implements Callback {
    private final Path file;
    private final String separator;
    private final boolean append;
    private final StringBuilder content = new StringBuilder();
    private List<String> keys;

    /** CSVLogger(filename) with Keras' defaults: separator ",", no append. */
    public CSVLogger(Path file) {
        this(file, ",", false);
    }

    public CSVLogger(Path file, String separator, boolean append) {
        if (separator == null || separator.isEmpty() || separator.contains("\n") || separator.contains("\r")) {
            throw new IllegalArgumentException("CSVLogger separator must be a non-empty string without line breaks, got '" + separator + "'");
        }
        this.file = file;
        this.separator = separator;
        this.append = append;
    }

    @Override
    public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
        content.setLength(0);
        keys = null;
        if (append && Files.exists(file)) {
            try {
                String existing = Files.readString(file, StandardCharsets.UTF_8);
                content.append(existing);
                if (!existing.isEmpty() && !existing.endsWith("\n")) {
                    content.append('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException("CSVLogger: cannot read " + file + " to append to it: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (keys == null) {
            keys = new ArrayList<>(logs.keySet());
            keys.sort(null);
            if (content.isEmpty()) {
                content.append("epoch");
                for (String k : keys) {
                    content.append(separator).append(k);
                }
                content.append('\n');
            }
        }
        content.append(epoch);
        for (String k : keys) {
            Double v = logs.get(k);
            content.append(separator).append(v == null ? "NA" : format(v));
        }
        content.append('\n');
        try {
            AtomicFiles.write(file, content.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Shortest round-trip decimal, lower-case exponent (Python's repr style: 0.5, 1e-05 is 1.0e-5 here). */
    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return Double.toString(v).replace('E', 'e');
    }
}
