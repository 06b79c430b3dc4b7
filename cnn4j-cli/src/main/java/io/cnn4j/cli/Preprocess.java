package io.cnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.data.DataSplits;
import io.cnn4j.data.Standardizer;
import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * What the CLI stores in a model file's metadata so that evaluate and predict prepare inputs the way
 * training did: data set, class names, input shape, and the preprocessing (pixels / 255, then the
 * optional per-channel standardisation fitted on the training set).
 */
final class Preprocess {
    private Preprocess() {
    }

    static ObjectNode metadata(DataSplits data, Standardizer standardizer) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("dataset", data.name());
        ArrayNode names = m.putArray("class_names");
        data.classNames().forEach(names::add);
        ArrayNode shape = m.putArray("input_shape");
        for (int d : data.inputShape()) {
            shape.add(d);
        }
        ObjectNode p = m.putObject("preprocessing");
        p.put("scale", 255.0);
        if (standardizer != null) {
            ObjectNode s = p.putObject("standardize");
            ArrayNode mean = s.putArray("mean");
            for (float v : standardizer.mean()) {
                mean.add(v);
            }
            ArrayNode std = s.putArray("std");
            for (float v : standardizer.std()) {
                std.add(v);
            }
        }
        return m;
    }

    /**
     * Records the range of the training inputs as the model saw them (after scaling, before
     * standardisation), so that predict can refuse inputs on another scale (e.g. 0-255 for a model
     * trained on 0-1).
     */
    static void recordInputRange(ObjectNode metadata, Tensor x) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : x.data()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (min <= max) {
            ObjectNode p = metadata.with("preprocessing");
            ArrayNode r = p.putArray("input_range");
            r.add(min);
            r.add(max);
        }
    }

    /**
     * Refuses inputs that would give garbage predictions without a word: non-finite values, or values
     * far outside the range the model was trained on (the recorded input_range, else [0, 1] when the
     * model records the usual pixel scaling by 255). Inputs are the scaled ones, before standardisation.
     */
    static void checkInputs(JsonNode metadata, Tensor x, java.nio.file.Path file) throws io.cnn4j.data.DataFormatException {
        float[] d = x.data();
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < d.length; i++) {
            float v = d[i];
            if (!Float.isFinite(v)) {
                int item = x.itemSize();
                throw new io.cnn4j.data.DataFormatException(file, "image " + (i / item) + " holds " + v + " (value " + (i % item)
                        + "); cannot predict from non-finite inputs");
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        JsonNode p = metadata.path("preprocessing");
        double lo, hi;
        JsonNode r = p.path("input_range");
        if (r.isArray() && r.size() == 2 && r.get(0).isNumber() && r.get(1).isNumber()) {
            lo = r.get(0).asDouble();
            hi = r.get(1).asDouble();
        } else if (p.path("scale").asDouble(0) == 255.0) {
            lo = 0;
            hi = 1;
        } else {
            return; // the model records nothing about its inputs
        }
        // generous slack: new images may be a little brighter or darker than the training set, not 255 times
        double slack = Math.max(0.5, 0.5 * (hi - lo));
        if (max > hi + slack || min < lo - slack) {
            String hint = hi <= 1.0 + 1e-6 && max > 2 ? " (pixels on a 0-255 scale? divide them by 255, or give uint8 images)" : "";
            throw new io.cnn4j.data.DataFormatException(file, String.format(java.util.Locale.ROOT,
                    "input values range over [%g, %g] but the model was trained on inputs in [%g, %g]%s", min, max, lo, hi, hint));
        }
    }

    /** The standardizer recorded in the metadata, or null. */
    static Standardizer standardizer(JsonNode metadata) {
        JsonNode s = metadata.path("preprocessing").path("standardize");
        if (!s.isObject()) {
            return null;
        }
        return new Standardizer(floats(s.path("mean")), floats(s.path("std")));
    }

    static List<String> classNames(JsonNode metadata, int classes) {
        List<String> names = new ArrayList<>();
        metadata.path("class_names").forEach(n -> names.add(n.asText()));
        if (names.size() != classes) {
            names.clear();
            for (int i = 0; i < classes; i++) {
                names.add("class_" + i);
            }
        }
        return names;
    }

    /** Applies the recorded standardisation (inputs are already scaled to [0, 1]). */
    static Tensor apply(JsonNode metadata, Tensor x) {
        Standardizer s = standardizer(metadata);
        return s == null ? x : s.apply(x);
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).asDouble();
        }
        return f;
    }
}
