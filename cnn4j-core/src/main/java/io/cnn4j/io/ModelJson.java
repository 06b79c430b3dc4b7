package io.cnn4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.kernels.Padding;
import io.cnn4j.layers.Activation;
import io.cnn4j.layers.ActivationFunction;
import io.cnn4j.layers.AveragePooling2D;
import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.DropBlock2D;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.GlobalAveragePooling2D;
import io.cnn4j.layers.GlobalMaxPooling2D;
import io.cnn4j.layers.Initializer;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.MaxPoolingDropout2D;
import io.cnn4j.layers.Pooling2D;
import io.cnn4j.layers.ReLU;
import io.cnn4j.layers.Regularizer;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.layers.ZeroPadding2D;
import io.cnn4j.model.MemoryBudget;
import io.cnn4j.model.Sequential;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A Sequential model's architecture as Keras-style JSON: {@code {"class_name": "Sequential",
 * "config": {"name": …, "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null,
 * 28, 28, 1]}}, {"class_name": "Conv2D", "config": {…}}, …]}}}.
 *
 * <p>{@link #fromJson} reads what we write, architecture files written by hand, and the output of
 * Keras' {@code model.to_json()} for Sequential models of supported layers (Conv2D, MaxPooling2D,
 * AveragePooling2D, Dropout, SpatialDropout2D, Flatten, Dense, Activation, InputLayer,
 * BatchNormalization, GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, ReLU; L1 / L2 /
 * L1L2 kernel and bias regularizers on Conv2D and Dense), in both
 * dialects: Keras 2 ({@code batch_input_shape}, initializers as {@code {class_name, config}}) and
 * Keras 3 ({@code InputLayer.batch_shape}, objects wrapped with {@code module} and
 * {@code registered_name}, {@code build_config}). Options cnn4j does not implement (channels_first,
 * dilation, groups, activity regularizers, constraints, BatchNormalization's renorm and
 * non-default initializers) are refused with the layer named, never ignored.
 *
 * <p>cnn4j adds one key: {@code config.seed}, the model's seed (Keras has none); without it the
 * seed passed to {@link #fromJson(String, long)} is used.
 *
 * <p>cnn4j's own layers {@code MaxPoolingDropout2D} ({@code rate}, {@code pool_size}, {@code seed})
 * and {@code DropBlock2D} ({@code rate}, {@code block_size}, {@code seed}) have no counterpart in
 * Keras' core layers; they are written and read in the same style so that every cnn4j model can
 * be saved, but a Keras model cannot contain them.
 */
public final class ModelJson {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    public static final List<String> SUPPORTED = List.of("InputLayer", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Dropout",
            "SpatialDropout2D", "Flatten", "Dense", "Activation", "MaxPoolingDropout2D", "DropBlock2D", "BatchNormalization",
            "GlobalAveragePooling2D", "GlobalMaxPooling2D", "ZeroPadding2D", "ReLU");

    private ModelJson() {
    }

    /** The architecture (layers, input shape, name, seed) as pretty-printed JSON. */
    public static String toJson(Sequential model) {
        try {
            return MAPPER.writeValueAsString(architecture(model));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The architecture as a JSON tree. The model must be built (its input shape known). */
    public static ObjectNode architecture(Sequential model) {
        ObjectNode root = F.objectNode();
        root.put("class_name", "Sequential");
        ObjectNode config = root.putObject("config");
        config.put("name", model.name());
        config.put("seed", model.seed());
        ArrayNode layers = config.putArray("layers");
        ObjectNode input = layers.addObject();
        input.put("class_name", "InputLayer");
        ObjectNode ic = input.putObject("config");
        ArrayNode bs = ic.putArray("batch_shape");
        bs.addNull();
        for (int d : model.inputShape()) {
            bs.add(d);
        }
        ic.put("dtype", "float32");
        ic.put("name", "input_layer");
        for (Layer l : model.layers()) {
            layers.add(layer(l));
        }
        return root;
    }

    static ObjectNode layer(Layer l) {
        ObjectNode n = F.objectNode();
        LayerConfig lc = l.config();
        n.put("class_name", lc.className());
        ObjectNode c = n.putObject("config");
        c.put("name", l.name());
        c.put("trainable", true);
        if (lc instanceof Conv2D.Config k) {
            c.put("filters", k.filters());
            pair(c, "kernel_size", k.kernelSize());
            pair(c, "strides", k.strides());
            c.put("padding", k.padding().keras());
            c.put("data_format", "channels_last");
            pair(c, "dilation_rate", new int[]{1, 1});
            c.put("groups", 1);
            c.put("activation", k.activation().keras());
            c.put("use_bias", k.useBias());
            c.set("kernel_initializer", initializer(k.kernelInitializer()));
            c.set("bias_initializer", initializer(k.biasInitializer()));
            c.set("kernel_regularizer", regularizer(k.kernelRegularizer()));
            c.set("bias_regularizer", regularizer(k.biasRegularizer()));
        } else if (lc instanceof Dense.Config d) {
            c.put("units", d.units());
            c.put("activation", d.activation().keras());
            c.put("use_bias", d.useBias());
            c.set("kernel_initializer", initializer(d.kernelInitializer()));
            c.set("bias_initializer", initializer(d.biasInitializer()));
            c.set("kernel_regularizer", regularizer(d.kernelRegularizer()));
            c.set("bias_regularizer", regularizer(d.biasRegularizer()));
        } else if (lc instanceof BatchNormalization.Config b) {
            c.put("axis", b.axis());
            c.put("momentum", b.momentum());
            c.put("epsilon", b.epsilon());
            c.put("center", b.center());
            c.put("scale", b.scale());
            c.set("beta_initializer", initializer(Initializer.ZEROS));
            c.set("gamma_initializer", initializer(Initializer.ONES));
            c.set("moving_mean_initializer", initializer(Initializer.ZEROS));
            c.set("moving_variance_initializer", initializer(Initializer.ONES));
            c.putNull("beta_regularizer");
            c.putNull("gamma_regularizer");
            c.putNull("beta_constraint");
            c.putNull("gamma_constraint");
            c.put("synchronized", false);
        } else if (lc instanceof GlobalAveragePooling2D.Config g) {
            c.put("data_format", "channels_last");
            c.put("keepdims", g.keepdims());
        } else if (lc instanceof GlobalMaxPooling2D.Config g) {
            c.put("data_format", "channels_last");
            c.put("keepdims", g.keepdims());
        } else if (lc instanceof ZeroPadding2D.Config z) {
            int[] p = z.padding();
            ArrayNode pad = c.putArray("padding");
            ArrayNode rows = pad.addArray();
            rows.add(p[0]).add(p[1]);
            ArrayNode cols = pad.addArray();
            cols.add(p[2]).add(p[3]);
            c.put("data_format", "channels_last");
        } else if (lc instanceof ReLU.Config r) {
            if (r.maxValue() == null) {
                c.putNull("max_value");
            } else {
                c.put("max_value", r.maxValue());
            }
            c.put("negative_slope", r.negativeSlope());
            c.put("threshold", r.threshold());
        } else if (lc instanceof Pooling2D.Config p) {
            pair(c, "pool_size", p.poolSize());
            c.put("padding", p.padding().keras());
            pair(c, "strides", p.strides());
            c.put("data_format", "channels_last");
        } else if (lc instanceof SpatialDropout2D.Config s) {
            c.put("rate", s.rate());
            putSeed(c, s.seed());
            c.put("data_format", "channels_last");
        } else if (lc instanceof Dropout.Config d) {
            c.put("rate", d.rate());
            if (d.noiseShape() == null) {
                c.putNull("noise_shape");
            } else {
                ArrayNode ns = c.putArray("noise_shape");
                for (int v : d.noiseShape()) {
                    if (v == Dropout.NONE) {
                        ns.addNull();
                    } else {
                        ns.add(v);
                    }
                }
            }
            putSeed(c, d.seed());
        } else if (lc instanceof MaxPoolingDropout2D.Config m) {
            c.put("rate", m.rate());
            pair(c, "pool_size", new int[]{m.poolSize(), m.poolSize()});
            putSeed(c, m.seed());
            c.put("data_format", "channels_last");
        } else if (lc instanceof DropBlock2D.Config d) {
            c.put("rate", d.rate());
            c.put("block_size", d.blockSize());
            putSeed(c, d.seed());
            c.put("data_format", "channels_last");
        } else if (lc instanceof Flatten.Config) {
            c.put("data_format", "channels_last");
        } else if (lc instanceof Activation.Config a) {
            c.put("activation", a.activation().keras());
        } else {
            throw new IllegalArgumentException("layer '" + l.name() + "' (" + lc.className() + ") cannot be written as JSON: "
                    + "ModelJson knows " + String.join(", ", SUPPORTED));
        }
        return n;
    }

    private static void putSeed(ObjectNode c, Long seed) {
        if (seed == null) {
            c.putNull("seed");
        } else {
            c.put("seed", seed);
        }
    }

    private static void pair(ObjectNode c, String key, int[] v) {
        ArrayNode a = c.putArray(key);
        for (int x : v) {
            a.add(x);
        }
    }

    /** Keras' serialised regularizer: {"class_name": "L2", "config": {"l2": 0.01}} (L1, L1L2 alike), or null. */
    private static JsonNode regularizer(Regularizer r) {
        if (r == null) {
            return F.nullNode();
        }
        ObjectNode n = F.objectNode();
        String cls = r.kerasClassName();
        n.put("class_name", cls);
        ObjectNode c = n.putObject("config");
        if (!cls.equals("L2")) {
            c.put("l1", r.l1());
        }
        if (!cls.equals("L1")) {
            c.put("l2", r.l2());
        }
        return n;
    }

    private static ObjectNode initializer(Initializer i) {
        ObjectNode n = F.objectNode();
        n.put("class_name", switch (i) {
            case GLOROT_UNIFORM -> "GlorotUniform";
            case HE_UNIFORM -> "HeUniform";
            case ZEROS -> "Zeros";
            case ONES -> "Ones";
        });
        ObjectNode c = n.putObject("config");
        if (i == Initializer.GLOROT_UNIFORM || i == Initializer.HE_UNIFORM) {
            c.putNull("seed");
        }
        return n;
    }

    /** Reads an architecture file; errors name the file. */
    public static Sequential read(Path file, long defaultSeed) throws IOException {
        String text;
        try {
            text = StrictJson.readText(file, ModelFiles.MAX_HEADER);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new ModelFileException(file, m != null && m.startsWith(file + ": ") ? m.substring(file.toString().length() + 2) : m, e);
        }
        return parse(text, file, defaultSeed);
    }

    /**
     * Reads an architecture from JSON text as {@link #read(Path, long)} does from a file, naming {@code file} in errors.
     *
     * @param content     the JSON, as bytes (UTF-8)
     * @param file        what names it in messages
     * @param defaultSeed the seed when the JSON gives none
     * @return the unbuilt model, its weights checked against the heap
     * @throws ModelFileException naming {@code file}
     */
    public static Sequential parse(byte[] content, Path file, long defaultSeed) throws ModelFileException {
        String text;
        try {
            text = StrictJson.decode(content, "JSON");
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
        return parse(text, file, defaultSeed);
    }

    /**
     * As {@link #parse(byte[], Path, long)} for text already decoded.
     *
     * @param text        the JSON
     * @param file        what names it in messages
     * @param defaultSeed the seed when the JSON gives none
     * @return the unbuilt model
     * @throws ModelFileException naming {@code file}
     */
    public static Sequential parse(String text, Path file, long defaultSeed) throws ModelFileException {
        try {
            Sequential model = fromJson(text, defaultSeed);
            // weights and gradients must fit the heap before build allocates them (compile checks the optimizer's state)
            long params = ModelFiles.parameterCount(model);
            MemoryBudget.requireHeap(MemoryBudget.mul(8, params), "the weights and gradients of the model's " + params + " parameters");
            return model;
        } catch (IllegalArgumentException | ArithmeticException e) {
            String m = e.getMessage();
            throw new ModelFileException(file, m != null && m.startsWith(file.toString() + ": ") ? m.substring(file.toString().length() + 2) : m, e);
        }
    }

    /**
     * Reads an architecture file and builds the model (weights initialised from its seed or
     * {@code defaultSeed}); every failure, including one found while building, names the file.
     *
     * @param file        the JSON file
     * @param defaultSeed the seed when the file gives none
     * @return the built model
     * @throws IOException a {@link ModelFileException} naming the file
     */
    public static Sequential load(Path file, long defaultSeed) throws IOException {
        return build(read(file, defaultSeed), file);
    }

    /**
     * Builds a model read by {@link #parse}, naming {@code file} in any error.
     *
     * @param m    the unbuilt model
     * @param file what names it in messages
     * @return the built model
     * @throws ModelFileException naming {@code file}
     */
    public static Sequential build(Sequential m, Path file) throws ModelFileException {
        try {
            m.build();
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
        return m;
    }

    public static Sequential fromJson(String json) {
        return fromJson(json, 0L);
    }

    /** Builds an unbuilt-but-shaped model (first layer carries the input shape) from JSON text. */
    public static Sequential fromJson(String json, long defaultSeed) {
        JsonNode root;
        try {
            root = StrictJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(StrictJson.describe(e));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("a model JSON must be an object with class_name and config");
        }
        return fromTree(root, defaultSeed);
    }

    public static Sequential fromTree(JsonNode root, long defaultSeed) {
        if (root.has("modelTopology")) { // TensorFlow.js model.json
            root = root.get("modelTopology");
        }
        if (root.has("model_config")) { // Keras .h5 / tfjs topology
            root = root.get("model_config");
        }
        String cls = text(root, "class_name", "model");
        if (!cls.equals("Sequential")) {
            throw new IllegalArgumentException("only Sequential models are supported, got class_name '" + cls + "'");
        }
        JsonNode config = root.get("config");
        JsonNode layers;
        String name = "sequential";
        long seed = defaultSeed;
        int[] inputShape = null;
        if (config != null && config.isArray()) { // Keras 2.0-2.1: config is the layer list
            layers = config;
        } else if (config != null && config.isObject()) {
            layers = config.get("layers");
            if (config.hasNonNull("name")) {
                name = config.get("name").asText();
            }
            if (config.hasNonNull("seed")) {
                if (!config.get("seed").canConvertToLong()) {
                    throw new IllegalArgumentException("model seed must be an integer, got " + config.get("seed"));
                }
                seed = config.get("seed").asLong();
            }
            inputShape = batchShape(config.get("build_input_shape"), "model build_input_shape");
        } else {
            throw new IllegalArgumentException("model has no config object");
        }
        if (layers == null || !layers.isArray()) {
            throw new IllegalArgumentException("model config has no layers list");
        }
        Sequential model = new Sequential(name, seed);
        Set<String> names = new HashSet<>();
        List<Layer> built = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            JsonNode ln = layers.get(i);
            String lcls = text(ln, "class_name", "layer " + i);
            JsonNode lc = ln.get("config");
            if (lc == null || !lc.isObject()) {
                throw new IllegalArgumentException("layer " + i + " (" + lcls + ") has no config object");
            }
            String lname = lc.hasNonNull("name") ? lc.get("name").asText() : null;
            String where = "layer " + i + (lname == null ? "" : " '" + lname + "'") + " (" + lcls + ")";
            int[] declared = batchShape(lc.has("batch_shape") ? lc.get("batch_shape") : lc.get("batch_input_shape"), where);
            if (declared == null && lc.has("input_shape")) {
                declared = shape(lc.get("input_shape"), where + " input_shape");
            }
            if (declared == null && ln.has("build_config") && built.isEmpty()) {
                declared = batchShape(ln.get("build_config").get("input_shape"), where + " build_config");
            }
            if (declared != null && inputShape == null && built.isEmpty()) {
                inputShape = declared;
            }
            if (lcls.equals("InputLayer")) {
                if (!built.isEmpty()) {
                    throw new IllegalArgumentException(where + ": an InputLayer must come first");
                }
                if (declared == null) {
                    throw new IllegalArgumentException(where + " has no batch_shape / batch_input_shape");
                }
                continue;
            }
            Layer layer;
            try {
                layer = layer(lcls, lc, where);
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            if (lname != null) {
                if (!names.add(lname)) {
                    throw new IllegalArgumentException(where + ": the name '" + lname + "' is used twice");
                }
                layer.setName(lname);
            }
            built.add(layer);
        }
        if (built.isEmpty()) {
            throw new IllegalArgumentException("the model has no layers besides its input");
        }
        if (inputShape == null) {
            throw new IllegalArgumentException("the model JSON gives no input shape: add {\"class_name\": \"InputLayer\", "
                    + "\"config\": {\"batch_shape\": [null, 28, 28, 1]}} as the first layer");
        }
        if (built.get(0) instanceof io.cnn4j.layers.AbstractLayer<?> first) {
            first.inputShape(inputShape);
        }
        for (Layer l : built) {
            model.add(l);
        }
        return model;
    }

    private static Layer layer(String cls, JsonNode c, String where) {
        requireChannelsLast(c, where);
        return switch (cls) {
            case "Conv2D", "Convolution2D" -> {
                requireAbsentOrDefault(c, where, "dilation_rate", 1);
                requireAbsentOrDefault(c, where, "groups", 1);
                requireNull(c, where, "activity_regularizer", "kernel_constraint", "bias_constraint");
                int filters = integer(c, "filters", where);
                int[] k = pairOf(c.get("kernel_size"), where + " kernel_size");
                int[] s = c.hasNonNull("strides") ? pairOf(c.get("strides"), where + " strides") : new int[]{1, 1};
                yield new Conv2D(new Conv2D.Config(filters, k, s, padding(c), activation(c, where), bool(c, "use_bias", true),
                        init(c.get("kernel_initializer"), Initializer.GLOROT_UNIFORM, where), init(c.get("bias_initializer"), Initializer.ZEROS, where),
                        regularizerOf(c.get("kernel_regularizer"), where + " kernel_regularizer"),
                        regularizerOf(c.get("bias_regularizer"), where + " bias_regularizer")));
            }
            case "Dense" -> {
                requireNull(c, where, "activity_regularizer", "kernel_constraint", "bias_constraint");
                yield new Dense(new Dense.Config(integer(c, "units", where), activation(c, where), bool(c, "use_bias", true),
                        init(c.get("kernel_initializer"), Initializer.GLOROT_UNIFORM, where), init(c.get("bias_initializer"), Initializer.ZEROS, where),
                        regularizerOf(c.get("kernel_regularizer"), where + " kernel_regularizer"),
                        regularizerOf(c.get("bias_regularizer"), where + " bias_regularizer")));
            }
            case "BatchNormalization" -> {
                requireNull(c, where, "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint",
                        "virtual_batch_size", "adjustment");
                if (bool(c, "renorm", false)) {
                    throw new IllegalArgumentException(where + ": renorm true is not supported by cnn4j");
                }
                requireInitializer(c, "beta_initializer", Initializer.ZEROS, where);
                requireInitializer(c, "gamma_initializer", Initializer.ONES, where);
                requireInitializer(c, "moving_mean_initializer", Initializer.ZEROS, where);
                requireInitializer(c, "moving_variance_initializer", Initializer.ONES, where);
                int axis = -1;
                JsonNode ax = c.get("axis");
                if (ax != null && ax.isArray() && ax.size() == 1) { // Keras 2 writes the built axis as a list, e.g. [3]
                    ax = ax.get(0);
                }
                if (ax != null && !ax.isNull()) {
                    if (!ax.isIntegralNumber() || !ax.canConvertToInt()) {
                        throw new IllegalArgumentException(where + ": axis must be an integer (the last axis), got " + c.get("axis"));
                    }
                    axis = ax.asInt();
                }
                double momentum = c.hasNonNull("momentum") ? number(c, "momentum", where) : 0.99;
                double epsilon = c.hasNonNull("epsilon") ? number(c, "epsilon", where) : 1e-3;
                yield new BatchNormalization(new BatchNormalization.Config(axis, momentum, epsilon, bool(c, "center", true), bool(c, "scale", true)));
            }
            case "GlobalAveragePooling2D", "GlobalAvgPool2D" -> new GlobalAveragePooling2D(new GlobalAveragePooling2D.Config(bool(c, "keepdims", false)));
            case "GlobalMaxPooling2D", "GlobalMaxPool2D" -> new GlobalMaxPooling2D(new GlobalMaxPooling2D.Config(bool(c, "keepdims", false)));
            case "ZeroPadding2D" -> new ZeroPadding2D(new ZeroPadding2D.Config(zeroPadding(c.get("padding"), where + " padding")));
            case "ReLU" -> {
                Double max = null;
                if (c.hasNonNull("max_value")) {
                    max = number(c, "max_value", where);
                }
                yield new ReLU(new ReLU.Config(max, c.hasNonNull("negative_slope") ? number(c, "negative_slope", where) : 0,
                        c.hasNonNull("threshold") ? number(c, "threshold", where) : 0));
            }
            case "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D" -> {
                int[] pool = c.hasNonNull("pool_size") ? pairOf(c.get("pool_size"), where + " pool_size") : new int[]{2, 2};
                int[] strides = c.hasNonNull("strides") ? pairOf(c.get("strides"), where + " strides") : null;
                boolean max = cls.startsWith("Max");
                Pooling2D.Config pc = new Pooling2D.Config(max ? "MaxPooling2D" : "AveragePooling2D", pool, strides, padding(c));
                yield max ? new MaxPooling2D(pc) : new AveragePooling2D(pc);
            }
            case "Dropout" -> {
                int[] ns = null;
                JsonNode nsn = c.get("noise_shape");
                if (nsn != null && !nsn.isNull()) {
                    if (!nsn.isArray()) {
                        throw new IllegalArgumentException(where + ": noise_shape must be a list, got " + nsn);
                    }
                    ns = new int[nsn.size()];
                    for (int i = 0; i < ns.length; i++) {
                        JsonNode v = nsn.get(i);
                        if (v.isNull()) {
                            ns[i] = Dropout.NONE;
                        } else if (v.canConvertToInt() && v.isIntegralNumber() && v.asInt() >= 1) {
                            ns[i] = v.asInt();
                        } else {
                            throw new IllegalArgumentException(where + ": noise_shape entries must be null or positive integers, got " + nsn);
                        }
                    }
                }
                yield new Dropout(new Dropout.Config(number(c, "rate", where), ns, seed(c, where)));
            }
            case "SpatialDropout2D" -> new SpatialDropout2D(new SpatialDropout2D.Config(number(c, "rate", where), seed(c, where)));
            case "MaxPoolingDropout2D" -> {
                // stride = pool size and "valid" padding are fixed by the layer; other values are refused, not ignored
                int k = c.hasNonNull("pool_size") ? square(c.get("pool_size"), where + " pool_size") : 2;
                requireAbsentOrDefault(c, where, "strides", k);
                if (c.hasNonNull("padding") && padding(c) != Padding.VALID) {
                    throw new IllegalArgumentException(where + ": padding " + c.get("padding") + " is not supported (only \"valid\")");
                }
                yield new MaxPoolingDropout2D(new MaxPoolingDropout2D.Config(number(c, "rate", where), k, seed(c, where)));
            }
            case "DropBlock2D" -> {
                if (!c.hasNonNull("block_size")) {
                    throw new IllegalArgumentException(where + ": 'block_size' must be an integer or a list of two equal integers, got null");
                }
                yield new DropBlock2D(new DropBlock2D.Config(number(c, "rate", where), square(c.get("block_size"), where + " block_size"),
                        seed(c, where)));
            }
            case "Flatten" -> new Flatten();
            case "Activation" -> new Activation(new Activation.Config(activation(c, where)));
            default -> throw new IllegalArgumentException(where + " is not supported by cnn4j; supported layers: " + String.join(", ", SUPPORTED));
        };
    }

    /** Keras' padding of ZeroPadding2D: an int, (rows, cols), or ((top, bottom), (left, right)); absent = 1. */
    private static int[] zeroPadding(JsonNode v, String where) {
        if (v == null || v.isNull()) {
            return new int[]{1, 1, 1, 1};
        }
        if (v.isArray() && v.size() == 2 && v.get(0).isArray()) {
            int[] rows = pairOf(v.get(0), where);
            int[] cols = pairOf(v.get(1), where);
            return new int[]{rows[0], rows[1], cols[0], cols[1]};
        }
        int[] p = pairOf(v, where);
        return new int[]{p[0], p[0], p[1], p[1]};
    }

    /** A Keras regularizer: null, "l1" / "l2" / "l1_l2", or {class_name: L1 | L2 | L1L2, config: {l1, l2}}. */
    private static Regularizer regularizerOf(JsonNode v, String where) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            try {
                return Regularizer.parse(v.asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
        }
        if (!v.isObject() || !v.hasNonNull("class_name")) {
            throw new IllegalArgumentException(where + ": cannot read regularizer " + v);
        }
        String cls = v.get("class_name").asText().toLowerCase(Locale.ROOT).replace("_", "");
        JsonNode cfg = v.path("config");
        double l1 = cfg.hasNonNull("l1") ? number(cfg, "l1", where) : 0;
        double l2 = cfg.hasNonNull("l2") ? number(cfg, "l2", where) : 0;
        return switch (cls) {
            case "l1" -> Regularizer.l1Of(cfg.hasNonNull("l1") ? l1 : Regularizer.DEFAULT_FACTOR);
            case "l2" -> Regularizer.l2Of(cfg.hasNonNull("l2") ? l2 : Regularizer.DEFAULT_FACTOR);
            case "l1l2" -> Regularizer.l1L2(l1, l2);
            default -> throw new IllegalArgumentException(where + ": regularizer '" + v.get("class_name").asText()
                    + "' is not supported (L1, L2, L1L2 are)");
        };
    }

    private static void requireInitializer(JsonNode c, String key, Initializer expected, String where) {
        if (c.get(key) == null || c.get(key).isNull()) {
            return;
        }
        if (init(c.get(key), expected, where) != expected) {
            throw new IllegalArgumentException(where + ": " + key + " " + c.get(key) + " is not supported (only "
                    + expected.name().toLowerCase(Locale.ROOT) + ")");
        }
    }

    private static void requireChannelsLast(JsonNode c, String where) {
        if (c.hasNonNull("data_format") && !c.get("data_format").asText().equals("channels_last")) {
            throw new IllegalArgumentException(where + ": data_format '" + c.get("data_format").asText()
                    + "' is not supported; cnn4j uses channels_last (NHWC) only");
        }
    }

    private static void requireAbsentOrDefault(JsonNode c, String where, String key, int dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return;
        }
        boolean ok = v.isArray() ? allEqual(v, dflt) : v.isIntegralNumber() && v.asInt() == dflt;
        if (!ok) {
            throw new IllegalArgumentException(where + ": " + key + " " + v + " is not supported (only " + dflt + ")");
        }
    }

    private static boolean allEqual(JsonNode arr, int v) {
        for (JsonNode x : arr) {
            if (!x.isIntegralNumber() || x.asInt() != v) {
                return false;
            }
        }
        return true;
    }

    private static void requireNull(JsonNode c, String where, String... keys) {
        for (String k : keys) {
            if (c.hasNonNull(k)) {
                throw new IllegalArgumentException(where + ": " + k + " " + c.get(k) + " is not supported by cnn4j (must be null)");
            }
        }
    }

    private static String text(JsonNode n, String key, String where) {
        JsonNode v = n == null ? null : n.get(key);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + " has no string '" + key + "'");
        }
        return v.asText();
    }

    private static int integer(JsonNode c, String key, String where) {
        JsonNode v = c.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode c, String key, String where) {
        JsonNode v = c.get(key);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode c, String key, boolean dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("'" + key + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static Long seed(JsonNode c, String where) {
        JsonNode v = c.get("seed");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException(where + ": seed must be an integer or null, got " + v);
        }
        return v.asLong();
    }

    private static Padding padding(JsonNode c) {
        return c.hasNonNull("padding") ? Padding.parse(c.get("padding").asText()) : Padding.VALID;
    }

    private static ActivationFunction activation(JsonNode c, String where) {
        JsonNode v = c.get("activation");
        if (v == null || v.isNull()) {
            return ActivationFunction.LINEAR;
        }
        if (v.isObject()) { // Keras 3 may serialise an activation object
            v = v.get("config") != null && v.get("config").hasNonNull("name") ? v.get("config").get("name") : v.get("class_name");
        }
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + ": activation must be a name such as \"relu\", got " + c.get("activation"));
        }
        return ActivationFunction.parse(v.asText());
    }

    private static Initializer init(JsonNode v, Initializer dflt, String where) {
        if (v == null || v.isNull()) {
            return dflt;
        }
        String name;
        JsonNode cfg = null;
        if (v.isTextual()) {
            name = v.asText();
        } else if (v.isObject() && v.hasNonNull("class_name")) {
            name = v.get("class_name").asText();
            cfg = v.get("config");
        } else {
            throw new IllegalArgumentException(where + ": cannot read initializer " + v);
        }
        String key = name.toLowerCase(Locale.ROOT).replace("_", "");
        if (key.equals("variancescaling") && cfg != null) {
            // Keras 2.0-2.2 wrote glorot_uniform / he_uniform as VarianceScaling
            double scale = cfg.path("scale").asDouble(1.0);
            String mode = cfg.path("mode").asText("");
            String dist = cfg.path("distribution").asText("");
            if (dist.equals("uniform") && mode.equals("fan_avg") && scale == 1.0) {
                return Initializer.GLOROT_UNIFORM;
            }
            if (dist.equals("uniform") && mode.equals("fan_in") && scale == 2.0) {
                return Initializer.HE_UNIFORM;
            }
            throw new IllegalArgumentException(where + ": initializer " + v + " is not supported (glorot_uniform, he_uniform, zeros, ones are)");
        }
        try {
            return Initializer.parse(key.replace("glorotuniform", "glorot_uniform").replace("heuniform", "he_uniform"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": initializer '" + name + "' is not supported (glorot_uniform, he_uniform, zeros, ones are)");
        }
    }

    /** An int or a list of two ints, as Keras accepts for kernel_size, strides and pool_size. */
    private static int[] pairOf(JsonNode v, String where) {
        if (v != null && v.isIntegralNumber() && v.canConvertToInt()) {
            return new int[]{v.asInt(), v.asInt()};
        }
        if (v != null && v.isArray() && v.size() == 2 && v.get(0).isIntegralNumber() && v.get(1).isIntegralNumber()
                && v.get(0).canConvertToInt() && v.get(1).canConvertToInt()) {
            return new int[]{v.get(0).asInt(), v.get(1).asInt()};
        }
        throw new IllegalArgumentException(where + " must be an integer or a list of two integers, got " + v);
    }

    /** An int or a list of two equal ints: a square window (the layers that take one have a single size). */
    private static int square(JsonNode v, String where) {
        int[] p = pairOf(v, where);
        if (p[0] != p[1]) {
            throw new IllegalArgumentException(where + " must be square (one size for height and width), got " + v);
        }
        return p[0];
    }

    /** [null, 28, 28, 1] → (28, 28, 1); null when absent. */
    private static int[] batchShape(JsonNode v, String where) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray() || v.size() < 2) {
            throw new IllegalArgumentException(where + ": batch shape must be a list like [null, 28, 28, 1], got " + v);
        }
        int[] s = new int[v.size() - 1];
        for (int i = 1; i < v.size(); i++) {
            s[i - 1] = dim(v.get(i), where, v);
        }
        return s;
    }

    private static int[] shape(JsonNode v, String where) {
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new IllegalArgumentException(where + " must be a list of positive integers, got " + v);
        }
        int[] s = new int[v.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = dim(v.get(i), where, v);
        }
        return s;
    }

    private static int dim(JsonNode d, String where, JsonNode all) {
        if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 1) {
            throw new IllegalArgumentException(where + ": shape " + all + " must have positive integer dimensions after the batch axis");
        }
        return d.asInt();
    }
}
