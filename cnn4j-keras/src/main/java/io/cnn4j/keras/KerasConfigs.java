package io.cnn4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.io.ModelJson;
import io.cnn4j.model.Sequential;

import java.util.Iterator;
import java.util.Map;

/**
 * The model's Keras architecture in the two dialects Keras writes: Keras 2's {@code model.to_json()}
 * (the {@code model_config} attribute of an .h5 file) and Keras 3's {@code serialize_keras_object}
 * (config.json of a .keras archive). Both start from cnn4j's {@link ModelJson#architecture}, which
 * is Keras 3 shaped and which {@link ModelJson#fromTree} reads back in either dialect.
 */
final class KerasConfigs {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private KerasConfigs() {
    }

    /**
     * Keras 2 (tf.keras 2.x): InputLayer has {@code batch_input_shape}; objects are plain
     * {class_name, config} (as tf-keras' {@code get_json_type}/{@code serialize_keras_object} write them).
     */
    static ObjectNode keras2(Sequential model) {
        ObjectNode root = ModelJson.architecture(model);
        for (JsonNode layer : root.get("config").get("layers")) {
            ObjectNode c = (ObjectNode) layer.get("config");
            if (c.has("batch_shape")) {
                c.set("batch_input_shape", c.remove("batch_shape"));
                c.put("sparse", false);
                c.put("ragged", false);
            }
        }
        return root;
    }

    /**
     * Keras 3: every object as {module, class_name, config, registered_name} (serialization_lib's
     * {@code serialize_keras_object}), the model with {@code build_config} and {@code compile_config}.
     */
    static ObjectNode keras3(Sequential model) {
        ObjectNode arch = ModelJson.architecture(model);
        ObjectNode root = F.objectNode();
        root.put("module", "keras");
        root.put("class_name", "Sequential");
        ObjectNode config = (ObjectNode) arch.get("config");
        config.put("trainable", true);
        for (JsonNode layer : config.get("layers")) {
            wrap((ObjectNode) layer, "keras.layers");
            ObjectNode c = (ObjectNode) layer.get("config");
            for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().endsWith("_initializer") && e.getValue().isObject()) {
                    wrap((ObjectNode) e.getValue(), "keras.initializers");
                }
            }
        }
        root.set("config", config);
        root.putNull("registered_name");
        ObjectNode build = root.putObject("build_config");
        ArrayNode shape = build.putArray("input_shape");
        shape.addNull();
        for (int d : model.inputShape()) {
            shape.add(d);
        }
        root.putNull("compile_config");
        return root;
    }

    private static void wrap(ObjectNode o, String module) {
        ObjectNode copy = o.deepCopy();
        o.removeAll();
        o.put("module", module);
        o.set("class_name", copy.get("class_name"));
        o.set("config", copy.get("config"));
        o.putNull("registered_name");
    }
}
