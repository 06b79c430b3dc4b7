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
