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
import io.cnn4j.layers.DropBlock2D;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.Pooling2D;
import io.cnn4j.layers.SpatialDropout2D;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.cnn4j.onnx.OnnxGraphBuilder.integer;
import static io.cnn4j.onnx.OnnxGraphBuilder.ints;
import static io.cnn4j.onnx.OnnxGraphBuilder.real;

/**
 * One entry per cnn4j layer: how it is written as ONNX nodes of the inference graph. Adding a layer
 * means adding one exporter here (and one importer in {@link OnnxOpImporters}). Layers not listed
 * (e.g. MaxPoolingDropout2D, whose probabilistic weighted pooling has no ONNX operator) are refused
 * with their name.
 */
final class OnnxLayerExporters {
    /** Writes one layer as nodes reading the builder's current tensor. */
    @FunctionalInterface
    interface LayerExporter {
        void export(Layer layer, OnnxGraphBuilder g);
    }

    private static final Map<Class<? extends LayerConfig>, LayerExporter> EXPORTERS = new LinkedHashMap<>();

    static {
        EXPORTERS.put(Conv2D.Config.class, OnnxLayerExporters::conv2d);
        EXPORTERS.put(Dense.Config.class, OnnxLayerExporters::dense);
        EXPORTERS.put(Pooling2D.Config.class, OnnxLayerExporters::pooling);
        EXPORTERS.put(Flatten.Config.class, OnnxLayerExporters::flatten);
        EXPORTERS.put(Activation.Config.class, (l, g) -> activation(g, l.name(), ((Activation.Config) l.config()).activation()));
        EXPORTERS.put(ReLU.Config.class, OnnxLayerExporters::relu);
        EXPORTERS.put(BatchNormalization.Config.class, OnnxLayerExporters::batchNormalization);
        EXPORTERS.put(ZeroPadding2D.Config.class, OnnxLayerExporters::zeroPadding);
        EXPORTERS.put(GlobalAveragePooling2D.Config.class, (l, g) -> globalPooling(l, g, "GlobalAveragePool",
                ((GlobalAveragePooling2D.Config) l.config()).keepdims()));
        EXPORTERS.put(GlobalMaxPooling2D.Config.class, (l, g) -> globalPooling(l, g, "GlobalMaxPool",
                ((GlobalMaxPooling2D.Config) l.config()).keepdims()));
        // inference graph: dropout of every kind is the identity at inference, so it has no node
        EXPORTERS.put(Dropout.Config.class, (l, g) -> { });
        EXPORTERS.put(SpatialDropout2D.Config.class, (l, g) -> { });
        EXPORTERS.put(DropBlock2D.Config.class, (l, g) -> { });
    }

    private OnnxLayerExporters() {
    }

    static void export(Layer layer, OnnxGraphBuilder g) {
        LayerExporter e = EXPORTERS.get(layer.config().getClass());
        if (e == null) {
            throw new IllegalArgumentException("layer '" + layer.name() + "' (" + layer.className()
                    + ") cannot be exported to ONNX: no ONNX operator computes it exactly");
        }
        e.export(layer, g);
    }

    // Keras kernel (kh, kw, C, F) -> ONNX Conv weight (F, C, kh, kw); bias as is
    private static void conv2d(Layer layer, OnnxGraphBuilder g) {
        Conv2D.Config c = (Conv2D.Config) layer.config();
        int[] ks = layer.parameters().get(0).shape();
        int kh = ks[0], kw = ks[1], ch = ks[2], f = ks[3];
        float[] k = layer.parameters().get(0).value();
        float[] w = new float[k.length];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int ci = 0; ci < ch; ci++) {
                    for (int fi = 0; fi < f; fi++) {
                        w[((fi * ch + ci) * kh + y) * kw + x] = k[((y * kw + x) * ch + ci) * f + fi];
                    }
                }
            }
        }
        g.toNchw(layer.name());
        String wn = g.initializer(layer.name() + "/kernel", w, f, ch, kh, kw);
        String[] extra = c.useBias()
                ? new String[]{wn, g.initializer(layer.name() + "/bias", layer.parameters().get(1).value(), f)}
                : new String[]{wn};
        int[] in = layer.inputShape();
        g.node("Conv", layer.name(), extra, ints("kernel_shape", kh, kw), ints("strides", c.strides()[0], c.strides()[1]),
                ints("pads", pads(in, c.kernelSize(), c.strides(), c.padding())), ints("dilations", 1, 1), integer("group", 1));
        activation(g, layer.name(), c.activation());
    }

    // Keras kernel (in, units) is ONNX Gemm's B with transB = 0
    private static void dense(Layer layer, OnnxGraphBuilder g) {
        Dense.Config c = (Dense.Config) layer.config();
        int[] ks = layer.parameters().get(0).shape();
        String wn = g.initializer(layer.name() + "/kernel", layer.parameters().get(0).value(), ks[0], ks[1]);
        String[] extra = c.useBias()
                ? new String[]{wn, g.initializer(layer.name() + "/bias", layer.parameters().get(1).value(), ks[1])}
                : new String[]{wn};
        g.node("Gemm", layer.name(), extra, real("alpha", 1f), real("beta", 1f), integer("transA", 0), integer("transB", 0));
        g.setRank(2);
        activation(g, layer.name(), c.activation());
    }

    // Keras "same" pooling ignores the padded cells: MaxPool pads with -inf, AveragePool with count_include_pad = 0
    private static void pooling(Layer layer, OnnxGraphBuilder g) {
        Pooling2D.Config c = (Pooling2D.Config) layer.config();
        String op = switch (c.className()) {
            case "MaxPooling2D" -> "MaxPool";
            case "AveragePooling2D" -> "AveragePool";
            default -> throw new IllegalArgumentException("layer '" + layer.name() + "' (" + c.className() + ") has no ONNX pooling operator");
        };
        g.toNchw(layer.name());
        int[] in = layer.inputShape();
        long[] pads = pads(in, c.poolSize(), c.strides(), c.padding());
        if (op.equals("MaxPool")) {
            g.node(op, layer.name(), ints("kernel_shape", c.poolSize()[0], c.poolSize()[1]),
                    ints("strides", c.strides()[0], c.strides()[1]), ints("pads", pads), integer("ceil_mode", 0));
        } else {
            g.node(op, layer.name(), ints("kernel_shape", c.poolSize()[0], c.poolSize()[1]),
                    ints("strides", c.strides()[0], c.strides()[1]), ints("pads", pads), integer("ceil_mode", 0),
                    integer("count_include_pad", 0));
        }
    }

    // Keras flattens in (H, W, C) order: back to NHWC first, so the next Dense kernel is used as is
    private static void flatten(Layer layer, OnnxGraphBuilder g) {
        if (g.rank() == 2) {
            return;
        }
        g.toNhwc(layer.name());
        g.node("Flatten", layer.name(), integer("axis", 1));
        g.setRank(2);
    }

    // Keras ReLU(max_value, negative_slope, threshold): Relu, Clip(0, max) or LeakyRelu; other combinations have no single operator
    private static void relu(Layer layer, OnnxGraphBuilder g) {
        ReLU.Config c = (ReLU.Config) layer.config();
        if (c.threshold() != 0) {
            throw new IllegalArgumentException("layer '" + layer.name() + "' (ReLU): threshold " + c.threshold() + " has no ONNX export");
        }
        if (c.maxValue() == null && c.negativeSlope() == 0) {
            g.node("Relu", layer.name());
        } else if (c.negativeSlope() == 0) {
            String min = g.initializer(layer.name() + "/min", new float[]{0f});
            String max = g.initializer(layer.name() + "/max", new float[]{c.maxValue().floatValue()});
            g.node("Clip", layer.name(), new String[]{min, max});
        } else if (c.maxValue() == null) {
            g.node("LeakyRelu", layer.name(), real("alpha", (float) c.negativeSlope()));
        } else {
            throw new IllegalArgumentException("layer '" + layer.name() + "' (ReLU): max_value together with negative_slope has no ONNX export");
        }
    }

    // inference: y = gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta over the channel axis (1 in NCHW)
    private static void batchNormalization(Layer layer, OnnxGraphBuilder g) {
        BatchNormalization.Config c = (BatchNormalization.Config) layer.config();
        int channels = layer.inputShape()[layer.inputShape().length - 1];
        if (g.rank() != 2 && g.rank() != 4) {
            throw new IllegalArgumentException("layer '" + layer.name() + "' (BatchNormalization): input of rank " + g.rank() + " has no ONNX export");
        }
        g.toNchw(layer.name());
        java.util.List<io.cnn4j.layers.Parameter> w = layer.weights();
        int k = 0;
        float[] gamma = c.scale() ? w.get(k++).value() : filled(channels, 1f);
        float[] beta = c.center() ? w.get(k++).value() : filled(channels, 0f);
        float[] mean = w.get(k++).value();
        float[] var = w.get(k).value();
        String[] extra = {g.initializer(layer.name() + "/gamma", gamma, channels), g.initializer(layer.name() + "/beta", beta, channels),
                g.initializer(layer.name() + "/moving_mean", mean, channels), g.initializer(layer.name() + "/moving_variance", var, channels)};
        g.node("BatchNormalization", layer.name(), extra, real("epsilon", (float) c.epsilon()), real("momentum", (float) c.momentum()));
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    // Pad's pads input: begins of every axis, then ends, in the tensor's current layout
    private static void zeroPadding(Layer layer, OnnxGraphBuilder g) {
        int[] p = ((ZeroPadding2D.Config) layer.config()).padding(); // top, bottom, left, right
        long[] pads = g.nchw() ? new long[]{0, 0, p[0], p[2], 0, 0, p[1], p[3]} : new long[]{0, p[0], p[2], 0, 0, p[1], p[3], 0};
        String padsName = g.int64Initializer(layer.name() + "/pads", pads);
        g.node("Pad", layer.name(), new String[]{padsName}, OnnxGraphBuilder.text("mode", "constant"));
    }

    // GlobalAveragePool / GlobalMaxPool give (N, C, 1, 1); Keras without keepdims gives (N, C)
    private static void globalPooling(Layer layer, OnnxGraphBuilder g, String op, boolean keepdims) {
        g.toNchw(layer.name());
        g.node(op, layer.name());
        if (!keepdims) {
            g.node("Flatten", layer.name() + "/flatten", integer("axis", 1));
            g.setRank(2);
        }
    }

    static void activation(OnnxGraphBuilder g, String layer, ActivationFunction f) {
        switch (f) {
            case LINEAR -> {
            }
            case RELU -> g.node("Relu", layer + "/relu");
            case SIGMOID -> g.node("Sigmoid", layer + "/sigmoid");
            case TANH -> g.node("Tanh", layer + "/tanh");
            case ELU -> g.node("Elu", layer + "/elu", real("alpha", 1f));
            // Keras' softmax is over the last axis, which is axis 1 of an NCHW tensor
            case SOFTMAX -> g.node("Softmax", layer + "/softmax", integer("axis", g.rank() == 4 && g.nchw() ? 1 : -1));
            default -> throw new IllegalArgumentException("layer '" + layer + "': activation " + f.keras() + " has no ONNX export");
        }
    }

    /** ONNX pads (top, left, bottom, right) for TensorFlow's padding rule on an (H, W, C) input. */
    static long[] pads(int[] in, int[] kernel, int[] strides, Padding padding) {
        long[] p = new long[4];
        for (int a = 0; a < 2; a++) {
            ConvGeometry geo = ConvGeometry.of(in[a], kernel[a], strides[a], padding);
            int total = padding == Padding.SAME ? Math.max((geo.out() - 1) * strides[a] + kernel[a] - in[a], 0) : 0;
            p[a] = geo.padBefore();
            p[a + 2] = total - geo.padBefore();
        }
        return p;
    }
}
