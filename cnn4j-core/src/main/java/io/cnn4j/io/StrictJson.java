package io.cnn4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * The one way cnn4j reads JSON that a person or another program wrote (model JSON, model file
 * headers, study files, results lines; no Keras counterpart): trailing content after the value,
 * duplicate keys and invalid UTF-8 are errors, and every error is one line that names the file (or
 * what the text is) and the line and column. Field helpers check types and ranges instead of
 * Jackson's lenient {@code asInt()} / {@code asDouble()}, which read "abc" as 0 and 1e12 as a
 * wrapped-around int.
 */
public final class StrictJson {
    /** Refuses trailing tokens and duplicate keys; leaves everything else as Jackson's defaults. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private StrictJson() {
    }

    /**
     * Parses {@code text}; a syntax error, trailing content or a duplicate key becomes an
     * IllegalArgumentException starting with {@code where}.
     *
     * @param text  the JSON text
     * @param where what the text is, e.g. a file name, for the message
     * @return the tree (never null)
     */
    public static JsonNode parse(String text, String where) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) {
                throw new IllegalArgumentException(where + ": empty, expected JSON");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": " + describe(e));
        }
    }

    /**
     * Reads a whole JSON file (at most {@code maxBytes}), strictly decoded as UTF-8 and parsed as {@link #parse}.
     *
     * @param file     the file
     * @param maxBytes the largest size accepted
     * @return the tree
     * @throws IOException when the file cannot be read (the message names it)
     */
    public static JsonNode read(Path file, long maxBytes) throws IOException {
        return parse(readText(file, maxBytes), file.toString());
    }

    /**
     * A text file's content, strictly decoded as UTF-8, refusing files over {@code maxBytes}.
     *
     * @param file     the file
     * @param maxBytes the largest size accepted
     * @return the text
     * @throws IOException when it cannot be read; the message names the file
     */
    public static String readText(Path file, long maxBytes) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        if (size > maxBytes) {
            throw new IllegalArgumentException(file + ": " + size + " bytes is more than the " + maxBytes + " bytes a file of this kind may have");
        }
        return decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Strict UTF-8 decoding: invalid bytes are an error naming {@code where}.
     *
     * @param bytes the bytes
     * @param where what they are, for the message
     * @return the text
     */
    public static String decode(byte[] bytes, String where) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(where + ": not UTF-8 text (invalid byte sequence)");
        }
    }

    /** Jackson's message without its source excerpt, with the position. */
    static String describe(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        int marker = m == null ? -1 : m.indexOf(" (start marker at");
        if (marker > 0) {
            m = m.substring(0, marker);
        }
        if (m != null && m.length() > 200) {
            m = m.substring(0, 200) + "...";
        }
        String what = m != null && m.startsWith("Duplicate field") ? "duplicate key: " + m : "not valid JSON: " + m;
        return what + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    }

    /**
     * Requires {@code node} to be an object whose keys are all in {@code known}.
     *
     * @param node  the node
     * @param known the allowed keys
     * @param where what the node is, for the message
     */
    public static void onlyKeys(JsonNode node, Set<String> known, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " must be a JSON object, got " + brief(node));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown key \"" + k + "\" (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    /**
     * An integral number in [min, max]; 2.5, 1e12 beyond max, "3" and true are refused.
     *
     * @param v     the value node (not null)
     * @param where what the value is, e.g. {@code study.json "seeds"}
     * @param min   smallest allowed
     * @param max   largest allowed
     * @return the value
     */
    public static long integer(JsonNode v, String where, long min, long max) {
        boolean integral = v != null && (v.isIntegralNumber() || (v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble())
                && Double.isFinite(v.asDouble())));
        if (!integral) {
            throw new IllegalArgumentException(where + " must be an integer, got " + brief(v));
        }
        if (!v.canConvertToLong() || v.asLong() < min || v.asLong() > max || (v.isFloatingPointNumber() && Math.abs(v.asDouble()) >= 9.2e18)) {
            throw new IllegalArgumentException(where + " must be between " + min + " and " + max + ", got " + brief(v));
        }
        return v.asLong();
    }

    /**
     * A finite number.
     *
     * @param v     the value node
     * @param where what the value is
     * @return the value
     */
    public static double number(JsonNode v, String where) {
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException(where + " must be a number, got " + brief(v));
        }
        return v.asDouble();
    }

    /**
     * A string.
     *
     * @param v     the value node
     * @param where what the value is
     * @return the value
     */
    public static String text(JsonNode v, String where) {
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + " must be a string, got " + brief(v));
        }
        return v.asText();
    }

    /**
     * A short rendering of a node for messages (at most 60 characters).
     *
     * @param v the node, or null
     * @return its text
     */
    public static String brief(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
