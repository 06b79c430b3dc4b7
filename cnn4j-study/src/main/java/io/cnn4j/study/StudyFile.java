package io.cnn4j.study;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnn4j.io.StrictJson;
import io.cnn4j.model.InvalidSettingException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
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
    private static final Set<String> VARIANT_KEYS = Set.of("pooling", "dropout", "position", "rate", "nominalRate", "rateMode");
    /** A study file is a few hundred bytes; anything past this is not one. */
    static final long MAX_BYTES = 1 << 20;

    /**
     * Reads and checks a study file strictly (one shared JSON reader, {@link StrictJson}): broken
     * JSON, trailing content, duplicate or unknown keys, wrong types ("rate": "abc", "variants":
     * [1, 2]), out-of-range numbers ("seeds": 1e12) and duplicate variants are refused with a message
     * naming the file and the field. All are usage errors ({@link InvalidSettingException}).
     */
    public static StudyFile read(Path file) {
        String text;
        try {
            text = StrictJson.readText(file, MAX_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read study file " + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("study file " + e.getMessage());
        }
        return parse(text, file);
    }

    /**
     * As {@link #parse(String, Path)} for the file's bytes (strict UTF-8).
     *
     * @param content the file's bytes
     * @param file    the file they came from
     * @return the study file
     */
    public static StudyFile parse(byte[] content, Path file) {
        String text;
        try {
            text = StrictJson.decode(content, file.toString());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("study file " + e.getMessage());
        }
        return parse(text, file);
    }

    /**
     * Checks and reads study-file text as {@link #read} does; {@code file} names it in messages.
     *
     * @param text the JSON text
     * @param file the file it came from
     * @return the study file
     */
    public static StudyFile parse(String text, Path file) {
        try {
            JsonNode root = StrictJson.parse(text, file.toString());
            String where = "study file " + file;
            if (!root.isObject()) {
                throw new IllegalArgumentException(where + " must hold a JSON object with a \"variants\" list, got " + StrictJson.brief(root));
            }
            StrictJson.onlyKeys(root, KEYS, where);
            JsonNode vs = root.get("variants");
            if (vs == null || !vs.isArray() || vs.isEmpty()) {
                throw new IllegalArgumentException(where + ": \"variants\" must be a non-empty list of objects, got " + StrictJson.brief(vs));
            }
            List<Variant> variants = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < vs.size(); i++) {
                String at = where + " variants[" + i + "]";
                Variant v = variant(vs.get(i), at);
                if (!ids.add(v.id())) {
                    throw new IllegalArgumentException(at + ": the variant " + v.name() + " is listed twice");
                }
                variants.add(v);
            }
            Variant baseline = root.has("baseline") ? variant(root.get("baseline"), where + " baseline") : null;
            Integer seeds = root.has("seeds")
                    ? (int) StrictJson.integer(root.get("seeds"), where + " \"seeds\"", 1, StudyConfig.MAX_SEEDS) : null;
            Integer epochs = root.has("epochs") ? (int) StrictJson.integer(root.get("epochs"), where + " \"epochs\"", 1, 100_000) : null;
            return new StudyFile(variants, baseline, seeds, epochs);
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new InvalidSettingException(m.contains(file.toString()) ? m : "study file " + file + ": " + m);
        }
    }

    static Variant variant(JsonNode n, String where) {
        StrictJson.onlyKeys(n, VARIANT_KEYS, where);
        try {
            String dropout = text(n, "dropout", "none", where);
            Double rate = n.has("rate") ? Double.valueOf(StrictJson.number(n.get("rate"), where + " \"rate\"")) : null;
            Double nominal = n.has("nominalRate") ? Double.valueOf(StrictJson.number(n.get("nominalRate"), where + " \"nominalRate\"")) : rate;
            if (rate == null && !dropout.equalsIgnoreCase("none")) {
                throw new IllegalArgumentException("\"rate\" is missing (the drop probability, e.g. 0.25)");
            }
            double r = rate == null ? 0 : rate;
            return new Variant(text(n, "pooling", "max", where), dropout, text(n, "position", dropout.equalsIgnoreCase("none") ? "none" : null, where),
                    r, nominal == null ? r : nominal, text(n, "rateMode", "nominal", where));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field, String dflt, String where) {
        JsonNode v = n.get(field);
        return v == null ? dflt : StrictJson.text(v, where + " \"" + field + "\"");
    }
}
