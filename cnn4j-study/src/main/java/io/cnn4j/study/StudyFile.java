package io.cnn4j.study;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A user's own study in JSON:
 * <pre>
 * {
 *   "variants": [
 *     {"pooling": "max", "dropout": "dropout", "position": "before", "rate": 0.5},
 *     {"pooling": "max", "dropout": "spatial", "position": "after", "rate": 0.1},
 *     {"pooling": "avg", "dropout": "none"}
 *   ],
 *   "baseline": {"pooling": "max", "dropout": "dropout", "position": "after", "rate": 0.25},
 *   "seeds": 3,
 *   "epochs": 5
 * }
 * </pre>
 * Only "variants" is required; "seeds" and "epochs" apply unless given on the command line.
 * The baseline defaults to element-wise dropout after the first variant's pooling type, at --rate.
 */
public record StudyFile(List<Variant> variants, Variant baseline, Integer seeds, Integer epochs) {
    private static final Set<String> KEYS = Set.of("variants", "baseline", "seeds", "epochs");

    public static StudyFile read(Path file) {
        JsonNode root;
        try {
            root = ResultsFile.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read study file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("study file " + file + " must hold a JSON object with a \"variants\" list");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("study file " + file + ": unknown key \"" + k + "\" (known: " + KEYS + ")");
            }
        }
        JsonNode vs = root.get("variants");
        if (vs == null || !vs.isArray() || vs.isEmpty()) {
            throw new IllegalArgumentException("study file " + file + ": \"variants\" must be a non-empty list");
        }
        List<Variant> variants = new ArrayList<>();
        for (int i = 0; i < vs.size(); i++) {
            variants.add(variant(vs.get(i), file + " variants[" + i + "]"));
        }
        Variant baseline = root.has("baseline") ? variant(root.get("baseline"), file + " baseline") : null;
        Integer seeds = root.has("seeds") ? root.get("seeds").asInt() : null;
        Integer epochs = root.has("epochs") ? root.get("epochs").asInt() : null;
        return new StudyFile(variants, baseline, seeds, epochs);
    }

    static Variant variant(JsonNode n, String where) {
        try {
            String dropout = text(n, "dropout", "none");
            double rate = n.has("rate") ? n.get("rate").asDouble() : 0;
            return new Variant(text(n, "pooling", "max"), dropout, text(n, "position", dropout.equals("none") ? "none" : null), rate,
                    n.has("nominalRate") ? n.get("nominalRate").asDouble() : rate, text(n, "rateMode", "nominal"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }
}
