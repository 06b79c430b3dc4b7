package io.cnn4j.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cnn4j.io.AtomicFiles;
import io.cnn4j.io.ModelFileException;
import io.cnn4j.io.ModelJson;
import io.cnn4j.io.SavedModel;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.Parameter;
import io.cnn4j.model.Sequential;
import io.cnn4j.random.Seeds;
import io.cnn4j.tensor.Tensor;
import onnx.Onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * ONNX export and import of Sequential models (no Keras counterpart; Keras users go through tf2onnx).
 *
 * <p>Export writes the inference graph, opset 13: dropout layers of every kind are removed (they are
 * the identity at inference), activations (softmax included) are kept. The graph's input
 * {@code input} is NHWC, (batch, H, W, C), as the cnn4j model's; a Transpose turns it to NCHW for
 * ONNX's Conv and pooling operators, and another one turns it back to NHWC before a Flatten (so the
 * next Gemm uses the Keras kernel unchanged) or at the end. Weights are stored as initializers named
 * {@code <layer>/kernel} and {@code <layer>/bias}; the model's cnn4j architecture JSON is kept in the
 * metadata property {@value #ARCHITECTURE_KEY} so that an import restores the removed dropout
 * layers, the names and the seed.
 *
 * <p>Import reads a chain of supported operators (see {@link OnnxOpImporters}) from files written by
 * cnn4j or by other tools, e.g. PyTorch's {@code torch.onnx.export}: NCHW Conv weights become Keras
 * (kh, kw, C, F) kernels, the rows of the first Gemm after a Flatten of an NCHW tensor are reordered
 * from (C, H, W) to cnn4j's (H, W, C), and a graph with an NCHW input becomes a model with the NHWC
 * input (H, W, C). Anything else is refused with the node and what is unsupported named.
 */
public final class OnnxModels {
    /** Opset written by {@link #save}. */
    public static final int OPSET = 13;
    /** ONNX IR version written by {@link #save} (IR 8: ONNX 1.10+, read by every current runtime). */
    public static final int IR_VERSION = 8;
    /** Metadata property holding the cnn4j architecture JSON. */
    public static final String ARCHITECTURE_KEY = "cnn4j.architecture";
    /** Metadata property holding cnn4j's model-file metadata (data set, class names, preprocessing). */
    public static final String METADATA_KEY = "cnn4j.metadata";
    /** Files larger than this are refused before they are read (protobuf's own message limit). */
    static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private OnnxModels() {
    }

    /**
     * Writes the model's inference graph as an ONNX file, atomically.
     *
     * @param model a built model
     * @param file  the .onnx file to write
     * @throws IOException when the file cannot be written
     */
    public static void save(Sequential model, Path file) throws IOException {
        save(model, null, file);
    }

    /**
     * Writes the model's inference graph as an ONNX file, atomically, with cnn4j's metadata (data
     * set, class names, preprocessing) in the metadata property {@value #METADATA_KEY}.
     *
     * @param model    a built model
     * @param metadata what a .cnn4j file holds beside the model, or null
     * @param file     the .onnx file to write
     * @throws IOException when the file cannot be written
     */
    public static void save(Sequential model, ObjectNode metadata, Path file) throws IOException {
        Onnx.ModelProto proto = toProto(model);
        if (metadata != null && !metadata.isEmpty()) {
            proto = proto.toBuilder().addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(METADATA_KEY)
                    .setValue(metadata.toString())).build();
        }
        AtomicFiles.write(file, proto.toByteArray());
    }

    /**
     * The model's inference graph as an ONNX ModelProto.
     *
     * @param model a built model
     * @return the ONNX model
     */
    public static Onnx.ModelProto toProto(Sequential model) {
        if (!model.isBuilt()) {
            throw new IllegalArgumentException("the model must be built before it is exported to ONNX");
        }
        int[] in = model.inputShape();
        Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName(model.name());
        graph.addInput(valueInfo("input", in));
        OnnxGraphBuilder g = new OnnxGraphBuilder(graph, "input", in.length + 1);
        // an image input is transposed to NCHW first, so that importers (ours too) see an NHWC input by its first node
        g.toNchw("input");
        for (Layer l : model.layers()) {
            OnnxLayerExporters.export(l, g);
        }
        g.toNhwc("output");
        if (graph.getNodeCount() == 0) {
            g.node("Identity", "output");
        }
        // the last node's output is the graph's output
        int last = graph.getNodeCount() - 1;
        Onnx.NodeProto.Builder lastNode = graph.getNodeBuilder(last);
        lastNode.setOutput(0, "output");
        graph.addOutput(valueInfo("output", model.outputShape()));
        return Onnx.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("cnn4j")
                .setProducerVersion(version())
                .setDocString("Inference graph of the cnn4j model '" + model.name() + "'; input NHWC " + Arrays.toString(in))
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(ARCHITECTURE_KEY).setValue(ModelJson.toJson(model)))
                .setGraph(graph)
                .build();
    }

    private static String version() {
        String v = OnnxModels.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static Onnx.ValueInfoProto valueInfo(String name, int[] shape) {
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (int d : shape) {
            s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    /**
     * Reads an ONNX file into a built model with its weights.
     *
     * @param file an .onnx file
     * @return the model
     * @throws IOException when the file cannot be read, is not ONNX or holds what cnn4j cannot compute (the message says what)
     */
    public static Sequential load(Path file) throws IOException {
        return read(file).model();
    }

    /**
     * Reads an ONNX file into a built model with its weights and the cnn4j metadata it carries
     * (empty for files from other tools).
     *
     * @param file an .onnx file
     * @return the model and its metadata
     * @throws IOException when the file cannot be read, is not ONNX or holds what cnn4j cannot compute (the message says what)
     */
    public static SavedModel read(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, "no such file");
        }
        if (size > MAX_BYTES) {
            throw new ModelFileException(file, "file of " + size + " bytes is larger than an ONNX model without external data can be");
        }
        Onnx.ModelProto proto;
        try {
            proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFileException(file, "not an ONNX model: " + e.getMessage(), e);
        }
        try {
            ObjectNode metadata = JsonNodeFactory.instance.objectNode();
            for (Onnx.StringStringEntryProto e : proto.getMetadataPropsList()) {
                if (e.getKey().equals(METADATA_KEY)) {
                    try {
                        if (new ObjectMapper().readTree(e.getValue()) instanceof ObjectNode o) {
                            metadata = o;
                        }
                    } catch (JsonProcessingException x) {
                        throw new IllegalArgumentException("metadata " + METADATA_KEY + " is not JSON: " + x.getOriginalMessage());
                    }
                }
            }
            return new SavedModel(fromProto(proto), Optional.empty(), metadata);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
    }

    /**
     * Builds a model from an ONNX ModelProto.
     *
     * @param proto the ONNX model
     * @return the built model with its weights
     */
    public static Sequential fromProto(Onnx.ModelProto proto) {
        if (!proto.hasGraph()) {
            throw new IllegalArgumentException("the ONNX model has no graph");
        }
        int opset = -1;
        for (Onnx.OperatorSetIdProto o : proto.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = (int) o.getVersion();
            }
        }
        if (opset < 0) {
            throw new IllegalArgumentException("the ONNX model imports no default-domain opset");
        }
        Onnx.GraphProto graph = proto.getGraph();
        Set<String> initializers = new HashSet<>();
        graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
        List<Onnx.ValueInfoProto> inputs = new ArrayList<>();
        for (Onnx.ValueInfoProto v : graph.getInputList()) {
            if (!initializers.contains(v.getName())) {
                inputs.add(v);
            }
        }
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("the ONNX graph has " + inputs.size() + " data inputs; a Sequential model has one");
        }
        if (graph.getOutputCount() != 1) {
            throw new IllegalArgumentException("the ONNX graph has " + graph.getOutputCount() + " outputs; a Sequential model has one");
        }
        Onnx.ValueInfoProto input = inputs.get(0);
        long[] dims = dims(input);
        List<Onnx.NodeProto> nodes = graph.getNodeList();
        boolean nchw;
        int[] shape;
        if (dims.length == 4) {
            // NHWC when the graph begins by transposing the input to NCHW (as cnn4j and tf2onnx write it), else NCHW
            boolean nhwc = firstNodeIsToNchw(nodes, input.getName());
            shape = nhwc ? new int[]{dim(dims, 1), dim(dims, 2), dim(dims, 3)} : new int[]{dim(dims, 2), dim(dims, 3), dim(dims, 1)};
            nchw = !nhwc;
        } else if (dims.length == 2) {
            shape = new int[]{dim(dims, 1)};
            nchw = false;
        } else {
            throw new IllegalArgumentException("the ONNX input '" + input.getName() + "' has rank " + dims.length
                    + "; images (4-D) or feature vectors (2-D) are supported");
        }
        OnnxImportState s = new OnnxImportState(input.getName(), shape, nchw, opset);
        graph.getInitializerList().forEach(s::addConstant);
        for (Onnx.NodeProto n : nodes) {
            if (n.getOpType().equals("Constant") && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))) {
                if (n.getAttributeCount() != 1 || !n.getAttribute(0).hasT()) {
                    throw s.unsupported(n, "only Constant nodes with a 'value' tensor are supported");
                }
                s.addConstant(n.getAttribute(0).getT().toBuilder().setName(n.getOutput(0)).build());
                continue;
            }
            OnnxOpImporters.apply(n, s);
        }
        if (!s.current().equals(graph.getOutput(0).getName())) {
            throw new IllegalArgumentException("the ONNX graph's output '" + graph.getOutput(0).getName()
                    + "' is not the end of its chain of nodes ('" + s.current() + "')");
        }
        if (s.featuresInChwOrder()) {
            throw new IllegalArgumentException("the ONNX graph ends with features flattened in NCHW order; cnn4j's Flatten gives (H, W, C) order");
        }
        if (s.rank() == 4 && s.nchw()) {
            throw new IllegalArgumentException("the ONNX graph ends with an NCHW image tensor; cnn4j's output would be NHWC");
        }
        String name = graph.getName().isEmpty() ? "sequential" : graph.getName();
        Sequential model = new Sequential(name, 0L);
        for (OnnxImportState.Pending p : s.layers()) {
            Layer l = p.config().newLayer();
            l.setName(p.name());
            model.add(l);
        }
        if (s.layers().isEmpty()) {
            throw new IllegalArgumentException("the ONNX graph has no layers cnn4j can hold");
        }
        model.build(shape);
        List<Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            List<Parameter> params = layers.get(i).weights();
            float[][] w = s.layers().get(i).weights();
            if (params.size() != w.length) {
                throw new IllegalStateException("layer '" + layers.get(i).name() + "' has " + params.size() + " weights, the graph " + w.length);
            }
            for (int j = 0; j < w.length; j++) {
                if (w[j].length != params.get(j).size()) {
                    throw new IllegalArgumentException("layer '" + layers.get(i).name() + "' weight " + params.get(j).name() + " needs "
                            + params.get(j).size() + " values, the graph has " + w[j].length);
                }
                System.arraycopy(w[j], 0, params.get(j).value(), 0, w[j].length);
            }
        }
        for (Onnx.StringStringEntryProto e : proto.getMetadataPropsList()) {
            if (e.getKey().equals(ARCHITECTURE_KEY)) {
                return restoreArchitecture(e.getValue(), model);
            }
        }
        return model;
    }

    /**
     * The model as cnn4j wrote it (dropout layers, names, seed) from the architecture JSON, with the
     * weights read from the graph; refused when the two do not compute the same function.
     */
    private static Sequential restoreArchitecture(String json, Sequential fromGraph) {
        Sequential full;
        try {
            full = ModelJson.fromJson(json);
            full.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("metadata " + ARCHITECTURE_KEY + " is not a usable cnn4j architecture: " + e.getMessage(), e);
        }
        // weighted layers in order; weights by their Keras name (a BatchNormalization without center
        // or scale was written with B = 0 / scale = 1, which the graph's layer holds and this one not)
        List<Layer> to = weighted(full);
        List<Layer> from = weighted(fromGraph);
        if (to.size() != from.size()) {
            throw new IllegalArgumentException("metadata " + ARCHITECTURE_KEY + " has " + to.size() + " layers with weights, the graph " + from.size());
        }
        for (int i = 0; i < to.size(); i++) {
            Map<String, Parameter> byName = new HashMap<>();
            for (Parameter p : from.get(i).weights()) {
                byName.put(shortName(p), p);
            }
            for (Parameter p : to.get(i).weights()) {
                Parameter src = byName.get(shortName(p));
                if (src == null || !Arrays.equals(src.shape(), p.shape()) || !to.get(i).className().equals(from.get(i).className())) {
                    throw new IllegalArgumentException("metadata " + ARCHITECTURE_KEY + ": weight " + p + " of layer '" + to.get(i).name()
                            + "' has no counterpart in the graph's layer '" + from.get(i).name() + "' (" + from.get(i).className() + ")");
                }
                System.arraycopy(src.value(), 0, p.value(), 0, p.size());
            }
        }
        if (!Arrays.equals(full.inputShape(), fromGraph.inputShape()) || !Arrays.equals(full.outputShape(), fromGraph.outputShape())) {
            throw new IllegalArgumentException("metadata " + ARCHITECTURE_KEY + " has input/output shapes that differ from the graph's");
        }
        // same weights, but is it the same function? Check on a fixed pseudo-random batch
        SplittableRandom r = Seeds.random(0, "onnx-metadata-check");
        int[] in = full.inputShape();
        int item = 1;
        for (int d : in) {
            item *= d;
        }
        float[] x = new float[2 * item];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        int[] shape = new int[in.length + 1];
        shape[0] = 2;
        System.arraycopy(in, 0, shape, 1, in.length);
        float[] a = full.predict(new Tensor(x.clone(), shape)).data();
        float[] b = fromGraph.predict(new Tensor(x, shape)).data();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-4f * Math.max(1f, Math.abs(b[i])))) {
                throw new IllegalArgumentException("metadata " + ARCHITECTURE_KEY + " describes a model that computes something else than the graph");
            }
        }
        return full;
    }

    private static List<Layer> weighted(Sequential m) {
        List<Layer> all = new ArrayList<>();
        for (Layer l : m.layers()) {
            if (!l.weights().isEmpty()) {
                all.add(l);
            }
        }
        return all;
    }

    private static String shortName(Parameter p) {
        return p.name().substring(p.name().lastIndexOf('/') + 1);
    }

    private static boolean firstNodeIsToNchw(List<Onnx.NodeProto> nodes, String input) {
        for (Onnx.NodeProto n : nodes) {
            if (n.getInputList().contains(input)) {
                if (!n.getOpType().equals("Transpose")) {
                    return false;
                }
                for (Onnx.AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("perm")) {
                        return a.getIntsList().equals(List.of(0L, 3L, 1L, 2L));
                    }
                }
                return false;
            }
        }
        return false;
    }

    private static long[] dims(Onnx.ValueInfoProto v) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            throw new IllegalArgumentException("the ONNX input '" + v.getName() + "' has no tensor shape");
        }
        if (v.getType().getTensorType().getElemType() != Onnx.TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("the ONNX input '" + v.getName() + "' has element type "
                    + v.getType().getTensorType().getElemType() + "; only FLOAT (1) is supported");
        }
        List<Onnx.TensorShapeProto.Dimension> ds = v.getType().getTensorType().getShape().getDimList();
        long[] r = new long[ds.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ds.get(i).hasDimValue() ? ds.get(i).getDimValue() : -1;
        }
        return r;
    }

    private static int dim(long[] dims, int i) {
        if (dims[i] <= 0 || dims[i] > 1 << 20) {
            throw new IllegalArgumentException("the ONNX input's dimension " + i + " is " + (dims[i] < 0 ? "symbolic" : dims[i])
                    + "; cnn4j needs fixed image and feature sizes");
        }
        return (int) dims[i];
    }
}
