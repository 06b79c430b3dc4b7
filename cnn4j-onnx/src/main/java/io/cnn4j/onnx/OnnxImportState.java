package io.cnn4j.onnx;

import io.cnn4j.kernels.Padding;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.LayerConfig;
import onnx.Onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where an ONNX import stands while it walks a linear graph: the name of the current tensor, its
 * shape in cnn4j's (H, W, C) terms, whether the graph holds it as NCHW, whether a Flatten of an
 * NCHW tensor left its features in (C, H, W) order, the constants (initializers and Constant nodes)
 * and the layers found so far.
 */
final class OnnxImportState {
    /** A constant float tensor: dims and row-major data. */
    record FloatTensor(long[] dims, float[] data) {
    }

    /** A layer found in the graph: name, config, weights in cnn4j's (Keras') layout, and its output tensor. */
    record Pending(String name, LayerConfig config, float[][] weights, String output) {
    }

    /** Marks the batch size in a shape value: unknown until run time. */
    static final long BATCH = Long.MIN_VALUE;

    private final Map<String, Onnx.TensorProto> constants = new HashMap<>();
    /** Values of small INT64 tensors computed from shapes (Shape, Gather, Unsqueeze, Concat), e.g. (batch, -1). */
    private final Map<String, long[]> shapeValues = new HashMap<>();
    private final List<Pending> layers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final int opset;
    private String current;
    private int[] shape;
    private boolean nchw;
    private int[] flattenedChw;

    OnnxImportState(String input, int[] shape, boolean nchw, int opset) {
        this.current = input;
        this.shape = shape.clone();
        this.nchw = nchw;
        this.opset = opset;
    }

    void addConstant(Onnx.TensorProto t) {
        constants.put(t.getName(), t);
    }

    int opset() {
        return opset;
    }

    String current() {
        return current;
    }

    int[] shape() {
        return shape.clone();
    }

    int rank() {
        return shape.length + 1;
    }

    boolean nchw() {
        return nchw;
    }

    List<Pending> layers() {
        return layers;
    }

    IllegalArgumentException unsupported(Onnx.NodeProto n, String what) {
        return new IllegalArgumentException("ONNX node '" + n.getName() + "' (" + n.getOpType() + "): " + what);
    }

    /** Checks that the node reads the current tensor (the graph must be a chain). */
    private void consume(Onnx.NodeProto n) {
        if (n.getInputCount() == 0 || !n.getInput(0).equals(current)) {
            throw unsupported(n, "reads '" + (n.getInputCount() == 0 ? "" : n.getInput(0)) + "' instead of '" + current
                    + "': only a chain of layers (a Sequential model) is supported");
        }
        for (int i = 1; i < n.getInputCount(); i++) {
            if (!n.getInput(i).isEmpty() && !constants.containsKey(n.getInput(i)) && !shapeValues.containsKey(n.getInput(i))) {
                throw unsupported(n, "input " + i + " '" + n.getInput(i) + "' is not a constant: only a chain of layers is supported");
            }
        }
        current = n.getOutput(0);
    }

    void pass(Onnx.NodeProto n) {
        consume(n);
    }

    void setNchw(Onnx.NodeProto n, boolean toNchw) {
        consume(n);
        nchw = toNchw;
    }

    void require4d(Onnx.NodeProto n) {
        if (rank() != 4) {
            throw unsupported(n, "input of rank " + rank() + " is not supported (a 4-D image batch is needed)");
        }
    }

    void require2d(Onnx.NodeProto n) {
        if (rank() != 2) {
            throw unsupported(n, "input of rank " + rank() + " is not supported (a (batch, features) matrix is needed; Flatten first)");
        }
    }

    void flatten(Onnx.NodeProto n) {
        int[] in = shape;
        String name = nodeName(n);
        if (rank() == 4 && nchw) {
            flattenedChw = new int[]{in[2], in[0], in[1]};
        }
        int features = 1;
        for (int d : in) {
            features = Math.multiplyExact(features, d);
        }
        addLayer(n, name, new Flatten.Config(), new float[0][], new int[]{features});
        nchw = false;
    }

    /** The (C, H, W) dims when the features are in NCHW-flatten order, once (the next Dense reorders them). */
    int[] takeFlattenedChw() {
        int[] r = flattenedChw;
        flattenedChw = null;
        return r;
    }

    /** True when features flattened from NCHW are still in (C, H, W) order, which differs from cnn4j's (H, W, C). */
    boolean featuresInChwOrder() {
        return flattenedChw != null && flattenedChw[0] > 1 && flattenedChw[1] * flattenedChw[2] > 1;
    }

    void addLayer(Onnx.NodeProto n, String name, LayerConfig config, float[][] weights, int[] outShape) {
        if (featuresInChwOrder() && !(config instanceof Flatten.Config)) {
            boolean elementwise = config instanceof io.cnn4j.layers.Activation.Config;
            if (!elementwise) {
                throw unsupported(n, "the features flattened in NCHW order must go to a Gemm/MatMul next");
            }
        }
        consume(n);
        String unique = name;
        for (int k = 1; !names.add(unique); k++) {
            unique = name + "_" + k;
        }
        layers.add(new Pending(unique, config, weights, current));
        shape = outShape.clone();
    }

    /** The last layer when the current tensor is its output (so an activation or bias can be fused into it). */
    Pending lastLayerProducingCurrent() {
        if (layers.isEmpty()) {
            return null;
        }
        Pending last = layers.get(layers.size() - 1);
        return last.output().equals(current) ? last : null;
    }

    void replaceLast(Onnx.NodeProto n, LayerConfig config, float[][] weights) {
        Pending last = layers.remove(layers.size() - 1);
        consume(n);
        layers.add(new Pending(last.name(), config, weights, current));
    }

    /** A name for the layer of a node: PyTorch's parameter prefix ("conv1" of "conv1.weight"), else the node's name. */
    String weightedName(Onnx.NodeProto n, int weightInput) {
        String w = n.getInput(weightInput);
        for (String suffix : new String[]{".weight", "/kernel"}) {
            if (w.endsWith(suffix) && w.length() > suffix.length()) {
                return sanitize(w.substring(0, w.length() - suffix.length()));
            }
        }
        return nodeName(n);
    }

    String nodeName(Onnx.NodeProto n) {
        String s = n.getName().isEmpty() ? n.getOpType().toLowerCase(java.util.Locale.ROOT) : n.getName();
        return sanitize(s);
    }

    private static String sanitize(String s) {
        String t = s.replaceAll("^/+", "").replaceAll("[^A-Za-z0-9_.\\-]", "_");
        return t.isEmpty() ? "layer" : t;
    }

    FloatTensor constant(Onnx.NodeProto n, int input, String what) {
        if (n.getInputCount() <= input || n.getInput(input).isEmpty()) {
            throw unsupported(n, "has no " + what + " input");
        }
        Onnx.TensorProto t = constants.get(n.getInput(input));
        if (t == null) {
            throw unsupported(n, what + " '" + n.getInput(input) + "' is not a constant (initializer)");
        }
        return floats(t, n);
    }

    /** The current tensor's shape in the graph's layout, with {@link #BATCH} first. */
    long[] graphShape() {
        long[] r = new long[rank()];
        r[0] = BATCH;
        if (rank() == 4 && nchw) {
            r[1] = shape[2];
            r[2] = shape[0];
            r[3] = shape[1];
        } else {
            for (int i = 0; i < shape.length; i++) {
                r[i + 1] = shape[i];
            }
        }
        return r;
    }

    boolean isShapeValue(String name) {
        return shapeValues.containsKey(name);
    }

    void putShapeValue(String name, long[] value) {
        shapeValues.put(name, value);
    }

    /** An INT64 input that is a constant or a value computed from shapes. */
    long[] int64Value(Onnx.NodeProto n, int input) {
        long[] v = n.getInputCount() > input ? shapeValues.get(n.getInput(input)) : null;
        return v != null ? v.clone() : int64Constant(n, input);
    }

    long[] int64Constant(Onnx.NodeProto n, int input) {
        Onnx.TensorProto t = n.getInputCount() > input ? constants.get(n.getInput(input)) : null;
        if (t == null) {
            throw unsupported(n, "input " + input + " is not a constant; only constant shapes are supported");
        }
        if (t.getDataType() != Onnx.TensorProto.DataType.INT64_VALUE) {
            throw unsupported(n, "shape tensor of data type " + t.getDataType() + " is not supported (INT64 only)");
        }
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long[] r = new long[b.remaining() / 8];
            b.asLongBuffer().get(r);
            return r;
        }
        return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
    }

    FloatTensor floats(Onnx.TensorProto t, Onnx.NodeProto n) {
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            throw unsupported(n, "tensor '" + t.getName() + "' uses external data, which is not supported");
        }
        if (t.getDataType() != Onnx.TensorProto.DataType.FLOAT_VALUE) {
            throw unsupported(n, "tensor '" + t.getName() + "' has data type " + t.getDataType() + "; only FLOAT (1) is supported");
        }
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long size = 1;
        for (long d : dims) {
            if (d < 0) {
                throw unsupported(n, "tensor '" + t.getName() + "' has a negative dimension");
            }
            size = Math.multiplyExact(size, d);
        }
        float[] data;
        if (!t.getRawData().isEmpty()) {
            if (t.getRawData().size() != 4 * size) {
                throw unsupported(n, "tensor '" + t.getName() + "' holds " + t.getRawData().size() + " bytes, dims "
                        + Arrays.toString(dims) + " need " + 4 * size);
            }
            data = new float[(int) size];
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        } else {
            if (t.getFloatDataCount() != size) {
                throw unsupported(n, "tensor '" + t.getName() + "' holds " + t.getFloatDataCount() + " floats, dims "
                        + Arrays.toString(dims) + " need " + size);
            }
            data = new float[(int) size];
            for (int i = 0; i < data.length; i++) {
                data[i] = t.getFloatData(i);
            }
        }
        return new FloatTensor(dims, data);
    }

    // attributes

    void onlyAttributes(Onnx.NodeProto n, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (Onnx.AttributeProto a : n.getAttributeList()) {
            if (!ok.contains(a.getName())) {
                throw unsupported(n, "attribute '" + a.getName() + "' is not supported");
            }
        }
    }

    private Onnx.AttributeProto attr(Onnx.NodeProto n, String name) {
        for (Onnx.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    long intAttr(Onnx.NodeProto n, String name, long dflt) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getI();
    }

    float floatAttr(Onnx.NodeProto n, String name, float dflt) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getF();
    }

    long[] intsAttr(Onnx.NodeProto n, String name, long[] dflt) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    String stringAttr(Onnx.NodeProto n, String name, String dflt) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    /**
     * Keras padding for a window op: no padding is "valid"; pads equal to TensorFlow's "same" rule
     * for this input (the odd cell after, i.e. SAME_UPPER) are "same"; anything else is refused.
     */
    Padding padding(Onnx.NodeProto n, int[] kernel, int[] strides) {
        String auto = stringAttr(n, "auto_pad", "NOTSET");
        switch (auto) {
            case "VALID":
                return Padding.VALID;
            case "SAME_UPPER":
                return Padding.SAME;
            case "NOTSET":
                break;
            default:
                throw unsupported(n, "auto_pad " + auto + " is not supported (Keras' 'same' is SAME_UPPER)");
        }
        long[] pads = intsAttr(n, "pads", new long[4]);
        if (pads.length != 4) {
            throw unsupported(n, "pads " + Arrays.toString(pads) + " must have four values");
        }
        if (Arrays.stream(pads).allMatch(p -> p == 0)) {
            return Padding.VALID;
        }
        long[] same = OnnxLayerExporters.pads(shape, kernel, strides, Padding.SAME);
        if (Arrays.equals(pads, same)) {
            return Padding.SAME;
        }
        throw unsupported(n, "pads " + Arrays.toString(pads) + " are neither 'valid' nor Keras' 'same' " + Arrays.toString(same)
                + " for a " + shape[0] + "x" + shape[1] + " input");
    }
}
