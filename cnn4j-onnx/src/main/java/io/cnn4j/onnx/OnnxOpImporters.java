package io.cnn4j.onnx;

import io.cnn4j.kernels.ConvGeometry;
import io.cnn4j.kernels.Padding;
import io.cnn4j.layers.Activation;
import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.GlobalAveragePooling2D;
import io.cnn4j.layers.GlobalMaxPooling2D;
import io.cnn4j.layers.ReLU;
import io.cnn4j.layers.ZeroPadding2D;
import io.cnn4j.layers.ActivationFunction;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Initializer;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.Pooling2D;
import onnx.Onnx;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One entry per ONNX operator: how a node of a linear inference graph becomes a cnn4j layer (or a
 * change of layout, or nothing). Operators, attributes and attribute values not listed are refused
 * with the node and what is unsupported named, never ignored.
 */
final class OnnxOpImporters {
    /** Turns one node into layers of the import state. */
    @FunctionalInterface
    interface OpImporter {
        void apply(Onnx.NodeProto node, OnnxImportState s);
    }

    private static final Map<String, OpImporter> IMPORTERS = new HashMap<>();

    static {
        IMPORTERS.put("Conv", OnnxOpImporters::conv);
        IMPORTERS.put("Gemm", OnnxOpImporters::gemm);
        IMPORTERS.put("MatMul", OnnxOpImporters::matmul);
        IMPORTERS.put("Add", OnnxOpImporters::add);
        IMPORTERS.put("MaxPool", (n, s) -> pool(n, s, "MaxPooling2D"));
        IMPORTERS.put("AveragePool", (n, s) -> pool(n, s, "AveragePooling2D"));
        IMPORTERS.put("Flatten", OnnxOpImporters::flatten);
        IMPORTERS.put("Reshape", OnnxOpImporters::reshape);
        IMPORTERS.put("Transpose", OnnxOpImporters::transpose);
        IMPORTERS.put("Relu", (n, s) -> activation(n, s, ActivationFunction.RELU));
        IMPORTERS.put("Sigmoid", (n, s) -> activation(n, s, ActivationFunction.SIGMOID));
        IMPORTERS.put("Tanh", (n, s) -> activation(n, s, ActivationFunction.TANH));
        IMPORTERS.put("Elu", OnnxOpImporters::elu);
        IMPORTERS.put("Softmax", OnnxOpImporters::softmax);
        // the identity at inference
        IMPORTERS.put("Identity", (n, s) -> s.pass(n));
        IMPORTERS.put("Dropout", (n, s) -> s.pass(n));
        IMPORTERS.put("Pad", OnnxOpImporters::pad);
        // shape arithmetic, as PyTorch writes x.view(x.size(0), -1) for a dynamic batch
        IMPORTERS.put("Shape", OnnxOpImporters::shape);
        IMPORTERS.put("Gather", OnnxOpImporters::gather);
        IMPORTERS.put("Unsqueeze", OnnxOpImporters::unsqueeze);
        IMPORTERS.put("Concat", OnnxOpImporters::concat);
        IMPORTERS.put("BatchNormalization", OnnxOpImporters::batchNormalization);
        IMPORTERS.put("LeakyRelu", OnnxOpImporters::leakyRelu);
        IMPORTERS.put("Clip", OnnxOpImporters::clip);
        IMPORTERS.put("GlobalAveragePool", (n, s) -> globalPool(n, s, true));
        IMPORTERS.put("GlobalMaxPool", (n, s) -> globalPool(n, s, false));
    }

    private OnnxOpImporters() {
    }

    static void apply(Onnx.NodeProto node, OnnxImportState s) {
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
            throw s.unsupported(node, "operator domain '" + node.getDomain() + "' is not supported");
        }
        OpImporter op = IMPORTERS.get(node.getOpType());
        if (op == null) {
            throw s.unsupported(node, "operator " + node.getOpType() + " is not supported (supported: "
                    + String.join(", ", IMPORTERS.keySet().stream().sorted().toList()) + ")");
        }
        op.apply(node, s);
    }

    // ONNX Conv weight (F, C, kh, kw) -> Keras kernel (kh, kw, C, F)
    private static void conv(Onnx.NodeProto n, OnnxImportState s) {
        s.require4d(n);
        s.onlyAttributes(n, "kernel_shape", "strides", "pads", "auto_pad", "dilations", "group");
        if (s.intAttr(n, "group", 1) != 1) {
            throw s.unsupported(n, "group " + s.intAttr(n, "group", 1) + " (grouped convolution) is not supported");
        }
        long[] dil = s.intsAttr(n, "dilations", new long[]{1, 1});
        if (Arrays.stream(dil).anyMatch(d -> d != 1)) {
            throw s.unsupported(n, "dilations " + Arrays.toString(dil) + " are not supported");
        }
        OnnxImportState.FloatTensor w = s.constant(n, 1, "weight");
        if (w.dims().length != 4 || w.dims()[1] != s.shape()[2]) {
            throw s.unsupported(n, "weight of shape " + Arrays.toString(w.dims()) + " does not fit input channels " + s.shape()[2]);
        }
        int f = (int) w.dims()[0], ch = (int) w.dims()[1], kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        int[] strides = toInts(s.intsAttr(n, "strides", new long[]{1, 1}));
        Padding padding = s.padding(n, new int[]{kh, kw}, strides);
        float[] k = new float[w.data().length];
        for (int fi = 0; fi < f; fi++) {
            for (int ci = 0; ci < ch; ci++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        k[((y * kw + x) * ch + ci) * f + fi] = w.data()[((fi * ch + ci) * kh + y) * kw + x];
                    }
                }
            }
        }
        boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
        float[][] weights = bias ? new float[][]{k, s.constant(n, 2, "bias").data()} : new float[][]{k};
        Conv2D.Config c = new Conv2D.Config(f, new int[]{kh, kw}, strides, padding, ActivationFunction.LINEAR, bias,
                Initializer.GLOROT_UNIFORM, Initializer.ZEROS);
        int[] in = s.shape();
        ConvGeometry gh = ConvGeometry.of(in[0], kh, strides[0], padding);
        ConvGeometry gw = ConvGeometry.of(in[1], kw, strides[1], padding);
        s.addLayer(n, s.weightedName(n, 1), c, weights, new int[]{gh.out(), gw.out(), f});
    }

    private static void pool(Onnx.NodeProto n, OnnxImportState s, String className) {
        s.require4d(n);
        s.onlyAttributes(n, "kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "count_include_pad", "dilations", "storage_order");
        if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
            throw s.unsupported(n, "the Indices output is not supported");
        }
        if (s.intAttr(n, "storage_order", 0) != 0) {
            throw s.unsupported(n, "storage_order 1 is not supported");
        }
        long[] dil = s.intsAttr(n, "dilations", new long[]{1, 1});
        if (Arrays.stream(dil).anyMatch(d -> d != 1)) {
            throw s.unsupported(n, "dilations " + Arrays.toString(dil) + " are not supported");
        }
        int[] kernel = toInts(s.intsAttr(n, "kernel_shape", null));
        if (kernel == null || kernel.length != 2) {
            throw s.unsupported(n, "kernel_shape must have two values");
        }
        int[] strides = toInts(s.intsAttr(n, "strides", new long[]{1, 1}));
        Padding padding = s.padding(n, kernel, strides);
        int[] in = s.shape();
        if (s.intAttr(n, "ceil_mode", 0) != 0 && padding == Padding.VALID
                && ((in[0] - kernel[0]) % strides[0] != 0 || (in[1] - kernel[1]) % strides[1] != 0)) {
            throw s.unsupported(n, "ceil_mode 1 changes the output size here; Keras pooling rounds down");
        }
        if (className.equals("AveragePooling2D") && padding == Padding.SAME && s.intAttr(n, "count_include_pad", 0) != 0
                && Arrays.stream(s.intsAttr(n, "pads", new long[4])).anyMatch(p -> p != 0)) {
            throw s.unsupported(n, "count_include_pad 1 with padding is not supported (Keras averages only the real cells)");
        }
        ConvGeometry gh = ConvGeometry.of(in[0], kernel[0], strides[0], padding);
        ConvGeometry gw = ConvGeometry.of(in[1], kernel[1], strides[1], padding);
        s.addLayer(n, s.nodeName(n), new Pooling2D.Config(className, kernel, strides, padding), new float[0][],
                new int[]{gh.out(), gw.out(), in[2]});
    }

    private static void gemm(Onnx.NodeProto n, OnnxImportState s) {
        s.require2d(n);
        s.onlyAttributes(n, "alpha", "beta", "transA", "transB");
        if (s.intAttr(n, "transA", 0) != 0) {
            throw s.unsupported(n, "transA 1 is not supported");
        }
        if (s.floatAttr(n, "alpha", 1f) != 1f) {
            throw s.unsupported(n, "alpha " + s.floatAttr(n, "alpha", 1f) + " is not supported (only 1)");
        }
        boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
        if (bias && s.floatAttr(n, "beta", 1f) != 1f) {
            throw s.unsupported(n, "beta " + s.floatAttr(n, "beta", 1f) + " is not supported (only 1)");
        }
        OnnxImportState.FloatTensor b = s.constant(n, 1, "B");
        if (b.dims().length != 2) {
            throw s.unsupported(n, "B must be a matrix, got dims " + Arrays.toString(b.dims()));
        }
        boolean transB = s.intAttr(n, "transB", 0) != 0;
        int in = (int) (transB ? b.dims()[1] : b.dims()[0]);
        int units = (int) (transB ? b.dims()[0] : b.dims()[1]);
        float[] kernel = transB ? transpose(b.data(), units, in) : b.data().clone();
        float[] c = null;
        if (bias) {
            OnnxImportState.FloatTensor ct = s.constant(n, 2, "C");
            if (ct.data().length != units) {
                throw s.unsupported(n, "C of dims " + Arrays.toString(ct.dims()) + " is not a bias of " + units + " values");
            }
            c = ct.data();
        }
        dense(n, s, in, units, kernel, c);
    }

    // MatMul by a constant (K, N) matrix; a following Add of a constant becomes its bias
    private static void matmul(Onnx.NodeProto n, OnnxImportState s) {
        s.require2d(n);
        OnnxImportState.FloatTensor b = s.constant(n, 1, "B");
        if (b.dims().length != 2) {
            throw s.unsupported(n, "B must be a matrix, got dims " + Arrays.toString(b.dims()));
        }
        dense(n, s, (int) b.dims()[0], (int) b.dims()[1], b.data().clone(), null);
    }

    private static void dense(Onnx.NodeProto n, OnnxImportState s, int in, int units, float[] kernel, float[] bias) {
        if (in != s.shape()[0]) {
            throw s.unsupported(n, "weight for " + in + " inputs does not fit " + s.shape()[0] + " features");
        }
        // a Flatten of an NCHW tensor ordered the features (C, H, W); cnn4j flattens (H, W, C)
        int[] chw = s.takeFlattenedChw();
        if (chw != null) {
            kernel = chwRowsToHwc(kernel, chw[0], chw[1], chw[2], units);
        }
        Dense.Config c = new Dense.Config(units, ActivationFunction.LINEAR, bias != null, Initializer.GLOROT_UNIFORM, Initializer.ZEROS);
        s.addLayer(n, s.weightedName(n, 1), c, bias != null ? new float[][]{kernel, bias} : new float[][]{kernel}, new int[]{units});
    }

    private static void add(Onnx.NodeProto n, OnnxImportState s) {
        OnnxImportState.Pending last = s.lastLayerProducingCurrent();
        if (last == null || !(last.config() instanceof Dense.Config d) || d.useBias() || d.activation() != ActivationFunction.LINEAR) {
            throw s.unsupported(n, "Add is only supported as the bias of a MatMul");
        }
        OnnxImportState.FloatTensor c = s.constant(n, 1, "bias");
        if (c.data().length != d.units()) {
            throw s.unsupported(n, "bias of dims " + Arrays.toString(c.dims()) + " does not fit " + d.units() + " units");
        }
        s.replaceLast(n, new Dense.Config(d.units(), d.activation(), true, d.kernelInitializer(), d.biasInitializer()),
                new float[][]{last.weights()[0], c.data()});
    }

    private static void flatten(Onnx.NodeProto n, OnnxImportState s) {
        s.onlyAttributes(n, "axis");
        if (s.intAttr(n, "axis", 1) != 1) {
            throw s.unsupported(n, "axis " + s.intAttr(n, "axis", 1) + " is not supported (only 1)");
        }
        s.flatten(n);
    }

    // a shape value: the current tensor's shape (batch unknown), not a step of the chain
    private static void shape(Onnx.NodeProto n, OnnxImportState s) {
        s.onlyAttributes(n);
        if (!n.getInput(0).equals(s.current())) {
            throw s.unsupported(n, "takes the shape of '" + n.getInput(0) + "', not of the current tensor '" + s.current() + "'");
        }
        s.putShapeValue(n.getOutput(0), s.graphShape());
    }

    private static void gather(Onnx.NodeProto n, OnnxImportState s) {
        s.onlyAttributes(n, "axis");
        if (!s.isShapeValue(n.getInput(0)) || s.intAttr(n, "axis", 0) != 0) {
            throw s.unsupported(n, "only a Gather from a shape (axis 0) is supported");
        }
        long[] data = s.int64Value(n, 0);
        long[] idx = s.int64Constant(n, 1);
        long[] out = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            long k = idx[i] < 0 ? idx[i] + data.length : idx[i];
            if (k < 0 || k >= data.length) {
                throw s.unsupported(n, "index " + idx[i] + " is out of range for a shape of rank " + data.length);
            }
            out[i] = data[(int) k];
        }
        s.putShapeValue(n.getOutput(0), out);
    }

    // a scalar becomes a 1-element vector: shape values are kept flat
    private static void unsqueeze(Onnx.NodeProto n, OnnxImportState s) {
        s.onlyAttributes(n, "axes");
        if (!s.isShapeValue(n.getInput(0))) {
            throw s.unsupported(n, "only an Unsqueeze of a shape value is supported");
        }
        s.putShapeValue(n.getOutput(0), s.int64Value(n, 0));
    }

    private static void concat(Onnx.NodeProto n, OnnxImportState s) {
        s.onlyAttributes(n, "axis");
        if (s.intAttr(n, "axis", 0) != 0 || n.getInputList().stream().noneMatch(s::isShapeValue)) {
            throw s.unsupported(n, "only a Concat of shape values (axis 0) is supported");
        }
        long[] out = new long[0];
        for (int i = 0; i < n.getInputCount(); i++) {
            long[] v = s.int64Value(n, i);
            long[] r = Arrays.copyOf(out, out.length + v.length);
            System.arraycopy(v, 0, r, out.length, v.length);
            out = r;
        }
        s.putShapeValue(n.getOutput(0), out);
    }

    // only a reshape to (batch, features), as PyTorch's x.view(x.size(0), -1) or torch.flatten
    private static void reshape(Onnx.NodeProto n, OnnxImportState s) {
        long[] shape = s.int64Value(n, 1);
        if (shape.length > 0 && shape[0] == OnnxImportState.BATCH) {
            shape[0] = 0; // "copy the batch size"
        }
        long features = 1;
        for (int d : s.shape()) {
            features *= d;
        }
        if (shape.length != 2 || !(shape[1] == -1 || shape[1] == features) || shape[0] == -1 && shape[1] != features) {
            throw s.unsupported(n, "only a reshape to (batch, " + features + ") is supported, got " + Arrays.toString(shape));
        }
        if (s.rank() == 2) {
            s.pass(n);
        } else {
            s.flatten(n);
        }
    }

    // PyTorch writes a Pad (often of zeros) before AveragePool: a zero pad is the identity, a constant-0
    // pad of the two spatial axes is Keras' ZeroPadding2D
    private static void pad(Onnx.NodeProto n, OnnxImportState s) {
        s.onlyAttributes(n, "mode");
        String mode = s.stringAttr(n, "mode", "constant");
        long[] pads = s.int64Constant(n, 1);
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            float[] value = s.constant(n, 2, "constant_value").data();
            if (value.length != 1 || value[0] != 0f) {
                throw s.unsupported(n, "constant_value " + Arrays.toString(value) + " is not supported (only 0)");
            }
        }
        if (Arrays.stream(pads).allMatch(p -> p == 0)) {
            s.pass(n);
            return;
        }
        if (!mode.equals("constant")) {
            throw s.unsupported(n, "mode " + mode + " is not supported (only constant zeros)");
        }
        s.require4d(n);
        if (pads.length != 8) {
            throw s.unsupported(n, "pads " + Arrays.toString(pads) + " must have 8 values for a 4-D tensor");
        }
        int h = s.nchw() ? 2 : 1, w = s.nchw() ? 3 : 2, c = s.nchw() ? 1 : 3;
        if (pads[0] != 0 || pads[4] != 0 || pads[c] != 0 || pads[c + 4] != 0 || Arrays.stream(pads).anyMatch(p -> p < 0)) {
            throw s.unsupported(n, "pads " + Arrays.toString(pads) + " pad more than the two spatial axes");
        }
        int[] p = {(int) pads[h], (int) pads[h + 4], (int) pads[w], (int) pads[w + 4]}; // top, bottom, left, right
        int[] in = s.shape();
        s.addLayer(n, s.nodeName(n), new ZeroPadding2D.Config(p), new float[0][], new int[]{in[0] + p[0] + p[1], in[1] + p[2] + p[3], in[2]});
    }

    // inference with the given statistics over axis 1 (channels of NCHW, features of a matrix)
    private static void batchNormalization(Onnx.NodeProto n, OnnxImportState s) {
        s.onlyAttributes(n, "epsilon", "momentum", "training_mode", "spatial");
        if (s.intAttr(n, "training_mode", 0) != 0) {
            throw s.unsupported(n, "training_mode 1 is not supported (an inference graph is needed)");
        }
        if (n.getOutputCount() > 1 && n.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
            throw s.unsupported(n, "the running statistics outputs (training) are not supported");
        }
        if (s.rank() == 4 && !s.nchw()) {
            throw s.unsupported(n, "normalizes axis 1, which of this NHWC tensor is not the channel axis");
        }
        if (s.rank() != 2 && s.rank() != 4) {
            throw s.unsupported(n, "input of rank " + s.rank() + " is not supported");
        }
        int channels = s.shape()[s.shape().length - 1];
        float[][] w = new float[4][];
        String[] what = {"scale", "B", "input_mean", "input_var"};
        for (int i = 0; i < 4; i++) {
            w[i] = s.constant(n, i + 1, what[i]).data();
            if (w[i].length != channels) {
                throw s.unsupported(n, what[i] + " has " + w[i].length + " values for " + channels + " channels");
            }
        }
        double epsilon = s.floatAttr(n, "epsilon", 1e-5f);
        double momentum = s.floatAttr(n, "momentum", 0.9f); // ONNX: running = running * momentum + batch * (1 - momentum), as Keras
        s.addLayer(n, s.weightedName(n, 1), new BatchNormalization.Config(-1, momentum, epsilon, true, true), w, s.shape());
    }

    private static void leakyRelu(Onnx.NodeProto n, OnnxImportState s) {
        s.onlyAttributes(n, "alpha");
        float alpha = s.floatAttr(n, "alpha", 0.01f);
        if (!(alpha >= 0)) {
            throw s.unsupported(n, "alpha " + alpha + " is not supported (Keras' negative_slope is ≥ 0)");
        }
        s.addLayer(n, s.nodeName(n), new ReLU.Config(null, alpha, 0), new float[0][], s.shape());
    }

    // Clip(0, max) is Keras' ReLU(max_value = max); Clip(0, none) a plain ReLU
    private static void clip(Onnx.NodeProto n, OnnxImportState s) {
        s.onlyAttributes(n, "min", "max");
        float min;
        Float max = null;
        if (s.opset() < 11) {
            min = s.floatAttr(n, "min", Float.NEGATIVE_INFINITY);
            float m = s.floatAttr(n, "max", Float.POSITIVE_INFINITY);
            max = Float.isInfinite(m) ? null : m;
        } else {
            min = n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? scalar(n, s, 1, "min") : Float.NEGATIVE_INFINITY;
            max = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? scalar(n, s, 2, "max") : null;
        }
        if (min != 0f || max != null && !(max >= 0)) {
            throw s.unsupported(n, "Clip(" + min + ", " + max + ") is not supported (only min 0, as Keras' ReLU max_value)");
        }
        s.addLayer(n, s.nodeName(n), new ReLU.Config(max == null ? null : (double) max, 0, 0), new float[0][], s.shape());
    }

    private static float scalar(Onnx.NodeProto n, OnnxImportState s, int input, String what) {
        float[] v = s.constant(n, input, what).data();
        if (v.length != 1) {
            throw s.unsupported(n, what + " must be a scalar");
        }
        return v[0];
    }

    // (N, C, H, W) -> (N, C, 1, 1): Keras' global pooling with keepdims; a following Flatten gives (N, C)
    private static void globalPool(Onnx.NodeProto n, OnnxImportState s, boolean average) {
        s.require4d(n);
        s.onlyAttributes(n);
        int[] in = s.shape();
        LayerConfig c = average ? new GlobalAveragePooling2D.Config(true) : new GlobalMaxPooling2D.Config(true);
        s.addLayer(n, s.nodeName(n), c, new float[0][], new int[]{1, 1, in[2]});
    }

    private static void transpose(Onnx.NodeProto n, OnnxImportState s) {
        s.require4d(n);
        long[] perm = s.intsAttr(n, "perm", null);
        if (Arrays.equals(perm, new long[]{0, 3, 1, 2}) && !s.nchw()) {
            s.setNchw(n, true);
        } else if (Arrays.equals(perm, new long[]{0, 2, 3, 1}) && s.nchw()) {
            s.setNchw(n, false);
        } else {
            throw s.unsupported(n, "perm " + Arrays.toString(perm) + " is not a change between NHWC and NCHW here");
        }
    }

    private static void elu(Onnx.NodeProto n, OnnxImportState s) {
        if (s.floatAttr(n, "alpha", 1f) != 1f) {
            throw s.unsupported(n, "alpha " + s.floatAttr(n, "alpha", 1f) + " is not supported (Keras' elu has alpha 1)");
        }
        activation(n, s, ActivationFunction.ELU);
    }

    private static void softmax(Onnx.NodeProto n, OnnxImportState s) {
        long axis = s.intAttr(n, "axis", s.opset() >= 13 ? -1 : 1);
        int rank = s.rank();
        if (axis < 0) {
            axis += rank;
        }
        long channelAxis = rank == 4 ? (s.nchw() ? 1 : 3) : 1;
        if (axis != channelAxis || rank == 4 && s.opset() < 13) {
            throw s.unsupported(n, "softmax over axis " + s.intAttr(n, "axis", -1) + " of a rank-" + rank
                    + " tensor is not Keras' softmax over the channels");
        }
        activation(n, s, ActivationFunction.SOFTMAX);
    }

    // fused into the Conv/Dense that produced the tensor when it has no activation yet, as Keras writes it
    private static void activation(Onnx.NodeProto n, OnnxImportState s, ActivationFunction f) {
        OnnxImportState.Pending last = s.lastLayerProducingCurrent();
        if (last != null && last.config() instanceof Conv2D.Config c && c.activation() == ActivationFunction.LINEAR) {
            s.replaceLast(n, new Conv2D.Config(c.filters(), c.kernelSize(), c.strides(), c.padding(), f, c.useBias(),
                    c.kernelInitializer(), c.biasInitializer()), last.weights());
        } else if (last != null && last.config() instanceof Dense.Config d && d.activation() == ActivationFunction.LINEAR) {
            s.replaceLast(n, new Dense.Config(d.units(), f, d.useBias(), d.kernelInitializer(), d.biasInitializer()), last.weights());
        } else {
            LayerConfig c = new Activation.Config(f);
            s.addLayer(n, s.nodeName(n), c, new float[0][], s.shape());
        }
    }

    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }

    /** Rows of a (C·H·W, units) matrix reordered to (H·W·C, units). */
    static float[] chwRowsToHwc(float[] k, int ch, int h, int w, int units) {
        float[] out = new float[k.length];
        for (int c = 0; c < ch; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int from = (c * h + y) * w + x;
                    int to = (y * w + x) * ch + c;
                    System.arraycopy(k, from * units, out, to * units, units);
                }
            }
        }
        return out;
    }

    private static int[] toInts(long[] v) {
        if (v == null) {
            return null;
        }
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.toIntExact(v[i]);
        }
        return r;
    }
}
