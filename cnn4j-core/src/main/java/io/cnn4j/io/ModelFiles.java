package io.cnn4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.layers.Parameter;
import io.cnn4j.losses.Loss;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import io.cnn4j.optim.Optimizer;
import io.cnn4j.optim.OptimizerConfig;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Shapes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * cnn4j's model file: one file with the architecture, the weights, the compile settings and the
 * optimizer state, so that a model can be reloaded for inference or to resume training; Keras counterpart: the {@code .keras} file of {@code model.save} and {@code keras.models.load_model}. Format
 * (version 1, all integers little-endian; full description in docs/model-format.md):
 *
 * <pre>
 *   offset  size  content
 *   0       8     magic "CNN4JMDL"
 *   8       4     format version (1)
 *   12      4     header length J
 *   16      8     data length D
 *   24      J     header: UTF-8 JSON (architecture, compile, tensor directory, training state, metadata)
 *   24+J    D     data: float32 arrays, little-endian, at the offsets the directory gives
 *   24+J+D  32    SHA-256 of bytes [0, 24+J+D)
 * </pre>
 *
 * Files are written atomically (temporary file + rename) and checked on reading: magic, version,
 * lengths against the file size, checksum, the JSON, every tensor's offset and size, and each
 * weight's name and shape against the architecture. Every failure names the file and the problem.
 */
public final class ModelFiles {
    public static final byte[] MAGIC = "CNN4JMDL".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    static final int PREFIX = 24;
    static final int DIGEST = 32;
    /** Largest header we accept; real ones are a few KiB. */
    static final int MAX_HEADER = 16 << 20;
    public static final String EXTENSION = ".cnn4j";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ModelFiles() {
    }

    public static void save(Sequential model, Path file) throws IOException {
        save(model, file, null, null);
    }

    /** Saves the model with an optional training state (checkpoints) and metadata object. */
    public static void save(Sequential model, Path file, TrainingState training, ObjectNode metadata) throws IOException {
        byte[] bytes = encode(model, training, metadata);
        AtomicFiles.write(file, bytes);
    }

    /** The complete file content. */
    public static byte[] encode(Sequential model, TrainingState training, ObjectNode metadata) {
        if (!model.isBuilt()) {
            model.build();
        }
        ObjectNode header = F.objectNode();
        header.put("format", "cnn4j-model");
        header.put("format_version", VERSION);
        header.put("created_by", "cnn4j");
        header.set("model", ModelJson.architecture(model));
        List<float[]> arrays = new ArrayList<>();
        long offset = 0;
        ArrayNode weights = header.putArray("weights");
        // every weight, trainable or not (BatchNormalization's moving statistics), in Keras' order
        for (Parameter p : model.weights()) {
            offset = entry(weights.addObject(), p.name(), p.shape(), offset);
            arrays.add(p.value());
        }
        Optimizer opt = model.optimizer();
        if (opt != null) {
            ObjectNode compile = header.putObject("compile");
            compile.set("optimizer", optimizerJson(opt.config()));
            compile.put("loss", model.loss().name());
            ArrayNode metrics = compile.putArray("metrics");
            model.metrics().forEach(metrics::add);
            ObjectNode state = header.putObject("optimizer_state");
            state.put("iterations", opt.iterations());
            ArrayNode slots = state.putArray("slots");
            List<float[]> st = opt.state(model.parameters());
            for (int i = 0; i < st.size(); i++) {
                offset = entry(slots.addObject(), "slot_" + i, new int[]{st.get(i).length}, offset);
                arrays.add(st.get(i));
            }
        }
        if (training != null) {
            ObjectNode t = header.putObject("training");
            t.put("epochs_done", training.epochsDone());
            ObjectNode h = t.putObject("history");
            training.history().forEach((k, v) -> {
                ArrayNode a = h.putArray(k);
                v.forEach(a::add);
            });
        }
        header.set("metadata", metadata == null ? F.objectNode() : metadata);
        byte[] json;
        try {
            json = ModelJson.MAPPER.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long total = PREFIX + json.length + offset + DIGEST;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("model of " + offset + " bytes of weights is too large for one file buffer");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(json.length).putLong(offset).put(json);
        for (float[] a : arrays) {
            b.asFloatBuffer().put(a);
            b.position(b.position() + 4 * a.length);
        }
        b.put(sha256(b.array(), 0, b.position()));
        return b.array();
    }

    private static long entry(ObjectNode e, String name, int[] shape, long offset) {
        e.put("name", name);
        ArrayNode s = e.putArray("shape");
        for (int d : shape) {
            s.add(d);
        }
        e.put("dtype", "<f4");
        e.put("offset", offset);
        return offset + 4L * Shapes.size(shape);
    }

    static ObjectNode optimizerJson(OptimizerConfig c) {
        ObjectNode o = F.objectNode();
        ObjectNode cfg;
        if (c instanceof SGD.Config s) {
            o.put("class_name", "SGD");
            cfg = o.putObject("config");
            cfg.put("learning_rate", s.learningRate());
            cfg.put("momentum", s.momentum());
            cfg.put("nesterov", s.nesterov());
            cfg.put("decay", s.decay());
        } else if (c instanceof Adam.Config a) {
            o.put("class_name", "Adam");
            cfg = o.putObject("config");
            cfg.put("learning_rate", a.learningRate());
            cfg.put("beta_1", a.beta1());
            cfg.put("beta_2", a.beta2());
            cfg.put("epsilon", a.epsilon());
            cfg.put("decay", a.decay());
        } else {
            throw new IllegalArgumentException("cannot save optimizer config " + c);
        }
        return o;
    }

    static OptimizerConfig optimizerConfig(JsonNode o) {
        String cls = o.path("class_name").asText("");
        JsonNode c = o.path("config");
        return switch (cls) {
            case "SGD" -> new SGD.Config(num(c, "learning_rate", 0.01), num(c, "momentum", 0), c.path("nesterov").asBoolean(false),
                    num(c, "decay", 0));
            case "Adam" -> new Adam.Config(num(c, "learning_rate", 0.001), num(c, "beta_1", 0.9), num(c, "beta_2", 0.999),
                    num(c, "epsilon", 1e-7), num(c, "decay", 0));
            default -> throw new IllegalArgumentException("unknown optimizer '" + cls + "' (SGD and Adam are supported)");
        };
    }

    private static double num(JsonNode c, String key, double dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("optimizer " + key + " must be a number, got " + v);
        }
        return v.asDouble();
    }

    /** Loads the model (weights, compile settings and optimizer state) with the default GEMM backend. */
    public static Sequential load(Path file) throws IOException {
        return read(file, null).model();
    }

    /** Reads everything in the file; {@code gemm} (or null for the default) is set on the model before it is built. */
    public static SavedModel read(Path file, Gemm gemm) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ModelFileException(file, "no such file");
        }
        if (size < PREFIX + DIGEST) {
            throw new ModelFileException(file, "truncated: " + size + " bytes is less than the " + (PREFIX + DIGEST)
                    + " bytes every cnn4j model file has");
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new ModelFileException(file, "file of " + size + " bytes is too large to be a cnn4j model");
        }
        byte[] bytes = Files.readAllBytes(file);
        return decode(bytes, file, gemm);
    }

    /** Decodes file content; {@code file} names it in messages. */
    public static SavedModel decode(byte[] bytes, Path file, Gemm gemm) throws ModelFileException {
        if (bytes.length < PREFIX + DIGEST) {
            throw new ModelFileException(file, "truncated: " + bytes.length + " bytes is less than the " + (PREFIX + DIGEST)
                    + " bytes every cnn4j model file has");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (!Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new ModelFileException(file, "not a cnn4j model file (magic number is not \"CNN4JMDL\")");
        }
        int version = b.getInt(8);
        if (version != VERSION) {
            throw new ModelFileException(file, "model format version " + Integer.toUnsignedString(version)
                    + " is not supported by this cnn4j (it reads version " + VERSION + ")");
        }
        long headerLen = b.getInt(12) & 0xFFFFFFFFL;
        long dataLen = b.getLong(16);
        long expected = PREFIX + headerLen + dataLen + DIGEST;
        if (headerLen > MAX_HEADER) {
            throw new ModelFileException(file, "the header length " + headerLen + " is more than the " + MAX_HEADER + " bytes a model header may have");
        }
        if (dataLen >= 0 && dataLen % 4 != 0) {
            throw new ModelFileException(file, "the data length " + dataLen + " is not a multiple of 4 (the data are float32 values)");
        }
        if (dataLen < 0 || expected != bytes.length) {
            throw new ModelFileException(file, "sizes do not match: header " + headerLen + " + data " + dataLen
                    + " bytes need a file of " + (dataLen < 0 ? "?" : String.valueOf(expected)) + " bytes, but it has " + bytes.length
                    + (expected > bytes.length || dataLen < 0 ? " (truncated?)" : ""));
        }
        byte[] digest = sha256(bytes, 0, bytes.length - DIGEST);
        if (!Arrays.equals(digest, Arrays.copyOfRange(bytes, bytes.length - DIGEST, bytes.length))) {
            throw new ModelFileException(file, "checksum mismatch: the file is damaged or was modified (SHA-256 of the content is "
                    + HexFormat.of().formatHex(digest) + ", the file records "
                    + HexFormat.of().formatHex(bytes, bytes.length - DIGEST, bytes.length) + ")");
        }
        JsonNode header;
        try {
            header = StrictJson.MAPPER.readTree(StrictJson.decode(Arrays.copyOfRange(bytes, PREFIX, PREFIX + (int) headerLen), "header"));
        } catch (JsonProcessingException e) {
            throw new ModelFileException(file, "header: " + StrictJson.describe(e));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage());
        }
        try {
            return fromHeader(header, b, PREFIX + (int) headerLen, (int) dataLen, gemm, file);
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
    }

    private static SavedModel fromHeader(JsonNode header, ByteBuffer b, int dataStart, int dataLen, Gemm gemm, Path file) {
        if (header == null || !header.isObject() || !"cnn4j-model".equals(header.path("format").asText())) {
            throw new IllegalArgumentException("header is not a cnn4j-model header");
        }
        Sequential model = ModelJson.fromTree(header.path("model"), 0L);
        long needed = 4 * parameterCount(model);
        if (needed > dataLen) {
            // checked before build so that a doctored architecture cannot make us allocate gigabytes
            throw new IllegalArgumentException("the architecture needs " + needed + " bytes of weights but the data section has only " + dataLen);
        }
        if (gemm != null) {
            model.gemm(gemm);
        }
        model.build();
        List<Parameter> params = model.weights();
        JsonNode weights = header.path("weights");
        if (!weights.isArray() || weights.size() != params.size()) {
            throw new IllegalArgumentException("the architecture has " + params.size() + " weight arrays but the file lists "
                    + (weights.isArray() ? weights.size() : "none"));
        }
        long[] next = {0};
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            JsonNode e = weights.get(i);
            if (!p.name().equals(e.path("name").asText())) {
                throw new IllegalArgumentException("weight " + i + " is '" + e.path("name").asText() + "' but the architecture's is '"
                        + p.name() + "'");
            }
            int[] shape = shapeOf(e, "weight '" + p.name() + "'");
            if (!Arrays.equals(shape, p.shape())) {
                throw new IllegalArgumentException("weight '" + p.name() + "' has shape " + Shapes.toString(shape)
                        + " but the architecture needs " + Shapes.toString(p.shape()));
            }
            copy(b, dataStart, dataLen, e, p.value(), next, "weight '" + p.name() + "'");
        }
        JsonNode compile = header.get("compile");
        if (compile != null && !compile.isNull()) {
            Optimizer opt = optimizerConfig(compile.path("optimizer")).create();
            List<String> metrics = new ArrayList<>();
            compile.path("metrics").forEach(m -> metrics.add(m.asText()));
            model.compile(opt, Loss.parse(compile.path("loss").asText("")), metrics.toArray(String[]::new));
            JsonNode state = header.path("optimizer_state");
            JsonNode it = state.path("iterations");
            if (!it.canConvertToLong() || it.asLong() < 0) {
                throw new IllegalArgumentException("optimizer_state.iterations must be a non-negative integer, got " + it);
            }
            opt.setIterations(it.asLong());
            JsonNode slots = state.path("slots");
            List<float[]> st = opt.state(model.parameters());
            if (!slots.isArray() || slots.size() != st.size()) {
                throw new IllegalArgumentException("optimizer " + opt.name() + " has " + st.size() + " state arrays but the file lists "
                        + (slots.isArray() ? slots.size() : "none"));
            }
            for (int i = 0; i < st.size(); i++) {
                int[] shape = shapeOf(slots.get(i), "optimizer slot " + i);
                if (Shapes.size(shape) != st.get(i).length) {
                    throw new IllegalArgumentException("optimizer slot " + i + " has " + Shapes.size(shape) + " values but needs " + st.get(i).length);
                }
                copy(b, dataStart, dataLen, slots.get(i), st.get(i), next, "optimizer slot " + i);
            }
        }
        if (next[0] != dataLen) {
            throw new IllegalArgumentException("the data section has " + dataLen + " bytes but the directory describes " + next[0]);
        }
        Optional<TrainingState> training = Optional.empty();
        JsonNode t = header.get("training");
        if (t != null && !t.isNull()) {
            JsonNode ed = t.path("epochs_done");
            if (!ed.canConvertToInt() || ed.asInt() < 0) {
                throw new IllegalArgumentException("training.epochs_done must be a non-negative integer, got " + ed);
            }
            Map<String, List<Double>> history = new LinkedHashMap<>();
            t.path("history").fields().forEachRemaining(en -> {
                List<Double> v = new ArrayList<>();
                en.getValue().forEach(x -> v.add(x.asDouble()));
                history.put(en.getKey(), v);
            });
            training = Optional.of(new TrainingState(ed.asInt(), history));
        }
        JsonNode md = header.get("metadata");
        ObjectNode metadata = md != null && md.isObject() ? (ObjectNode) md : F.objectNode();
        return new SavedModel(model, training, metadata);
    }

    /**
     * The number of weights an unbuilt model will allocate, worked out from the layer configs and the
     * first layer's declared input shape without allocating anything (saturates at Long.MAX_VALUE / 8).
     */
    static long parameterCount(Sequential model) {
        int[] in = model.layers().get(0).declaredInputShape();
        if (in == null) {
            throw new IllegalArgumentException("the architecture has no input shape");
        }
        long[] shape = new long[in.length];
        for (int i = 0; i < in.length; i++) {
            shape[i] = in[i];
        }
        long total = 0;
        final long cap = Long.MAX_VALUE / 8;
        for (io.cnn4j.layers.Layer l : model.layers()) {
            io.cnn4j.layers.LayerConfig c = l.config();
            if (c instanceof io.cnn4j.layers.Conv2D.Config k) {
                if (shape.length != 3) {
                    return 0; // build will report the rank error
                }
                long w = mul(mul(mul(k.kernelSize()[0], k.kernelSize()[1]), shape[2]), k.filters());
                total = Math.min(cap, total + w + (k.useBias() ? k.filters() : 0));
                shape = new long[]{window(shape[0], k.kernelSize()[0], k.strides()[0], k.padding()),
                        window(shape[1], k.kernelSize()[1], k.strides()[1], k.padding()), k.filters()};
            } else if (c instanceof io.cnn4j.layers.Pooling2D.Config p) {
                if (shape.length != 3) {
                    return total;
                }
                shape = new long[]{window(shape[0], p.poolSize()[0], p.strides()[0], p.padding()),
                        window(shape[1], p.poolSize()[1], p.strides()[1], p.padding()), shape[2]};
            } else if (c instanceof io.cnn4j.layers.MaxPoolingDropout2D.Config m) {
                if (shape.length != 3) {
                    return total;
                }
                shape = new long[]{shape[0] / m.poolSize(), shape[1] / m.poolSize(), shape[2]};
            } else if (c instanceof io.cnn4j.layers.BatchNormalization.Config b) {
                // gamma, beta, moving mean and variance over the last axis
                total = Math.min(cap, total + mul(shape[shape.length - 1], (b.scale() ? 1 : 0) + (b.center() ? 1 : 0) + 2));
            } else if (c instanceof io.cnn4j.layers.ZeroPadding2D.Config z) {
                if (shape.length != 3) {
                    return total;
                }
                int[] p = z.padding();
                shape = new long[]{shape[0] + p[0] + p[1], shape[1] + p[2] + p[3], shape[2]};
            } else if (c instanceof io.cnn4j.layers.GlobalAveragePooling2D.Config || c instanceof io.cnn4j.layers.GlobalMaxPooling2D.Config) {
                if (shape.length != 3) {
                    return total;
                }
                boolean keep = c instanceof io.cnn4j.layers.GlobalAveragePooling2D.Config g ? g.keepdims()
                        : ((io.cnn4j.layers.GlobalMaxPooling2D.Config) c).keepdims();
                shape = keep ? new long[]{1, 1, shape[2]} : new long[]{shape[2]};
            } else if (c instanceof io.cnn4j.layers.Flatten.Config) {
                long n = 1;
                for (long d : shape) {
                    n = mul(n, d);
                }
                shape = new long[]{n};
            } else if (c instanceof io.cnn4j.layers.Dense.Config d) {
                if (shape.length != 1) {
                    return total;
                }
                long w = mul(shape[0], d.units());
                total = Math.min(cap, total + w + (d.useBias() ? d.units() : 0));
                shape = new long[]{d.units()};
            }
        }
        return total;
    }

    /** a·b for non-negative a, b, saturating at Long.MAX_VALUE / 8. */
    private static long mul(long a, long b) {
        final long cap = Long.MAX_VALUE / 8;
        return a != 0 && b > cap / a ? cap : Math.min(cap, a * b);
    }

    private static long window(long in, int k, int s, io.cnn4j.kernels.Padding p) {
        if (p == io.cnn4j.kernels.Padding.VALID) {
            return in < k ? 0 : (in - k) / s + 1;
        }
        return (in + s - 1) / s;
    }

    private static int[] shapeOf(JsonNode e, String what) {
        JsonNode s = e.path("shape");
        if (!s.isArray()) {
            throw new IllegalArgumentException(what + " has no shape");
        }
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!s.get(i).isIntegralNumber() || !s.get(i).canConvertToInt() || s.get(i).asInt() < 0) {
                throw new IllegalArgumentException(what + " has a bad shape " + s);
            }
            shape[i] = s.get(i).asInt();
        }
        return shape;
    }

    /** Copies one float32 array from the data section, checking its offset (must follow the previous one) and bounds. */
    private static void copy(ByteBuffer b, int dataStart, int dataLen, JsonNode e, float[] into, long[] next, String what) {
        JsonNode off = e.path("offset");
        if (!"<f4".equals(e.path("dtype").asText())) {
            throw new IllegalArgumentException(what + " has dtype " + e.path("dtype") + "; only \"<f4\" is supported");
        }
        if (!off.canConvertToLong() || off.asLong() != next[0]) {
            throw new IllegalArgumentException(what + " is at offset " + off + " but should follow the previous array at " + next[0]);
        }
        long end = next[0] + 4L * into.length;
        if (end > dataLen) {
            throw new IllegalArgumentException(what + " ends at byte " + end + " of the data section, which has only " + dataLen);
        }
        ByteBuffer slice = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        slice.position(dataStart + (int) next[0]);
        slice.asFloatBuffer().get(into);
        for (int i = 0; i < into.length; i++) {
            if (!Float.isFinite(into[i])) {
                // a NaN or infinite weight would make every prediction NaN while the run exits 0
                throw new IllegalArgumentException(what + " holds " + into[i] + " at index " + i + " of " + into.length
                        + "; a model with non-finite weights cannot be used");
            }
        }
        next[0] = end;
    }

    static byte[] sha256(byte[] a, int from, int to) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(a, from, to - from);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
