package io.cnn4j.model;

import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * Folds each BatchNormalization into the Conv2D or Dense right before it, for inference (Keras has
 * no counterpart; TensorFlow Lite and ONNX Runtime do the same when they convert a model). In
 * inference BN is y = s·z + t per channel with s = γ/√(moving variance + ε) and
 * t = β − moving mean · s; when z = x·W + b is the output of a layer without activation, y = x·(W·s)
 * + (b·s + t), so the pair becomes one layer with kernel W·s (each output channel scaled) and bias
 * b·s + t. It is exact only in that case: a BN after an activation, or after a layer with one
 * (Conv2D(activation="relu")), is kept as it is.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /**
     * A new built model, for inference only, with every foldable (Conv2D or Dense without activation)
     * → BatchNormalization pair replaced by one layer; the other layers keep their configs and
     * weights. The argument is not changed. Training the result is not the same as training the
     * original (BN's batch statistics are gone), so it is left uncompiled: use it for predict.
     */
    public static Sequential fold(Sequential model) {
        model.build();
        List<Layer> layers = model.layers();
        Sequential out = new Sequential(model.name(), model.seed());
        if (model.gemm() != null) {
            out.gemm(model.gemm());
        }
        // the weights each new layer gets, in order, filled after build
        List<float[][]> weights = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            LayerConfig c = l.config();
            BatchNormalization bn = i + 1 < layers.size() && layers.get(i + 1) instanceof BatchNormalization b ? b : null;
            if (bn != null && foldable(c)) {
                int channels = bn.outputShape()[bn.outputShape().length - 1];
                float[] s = new float[channels], t = new float[channels];
                bn.inferenceAffine(s, t);
                float[] kernel = l.parameters().get(0).value().clone();
                for (int k = 0; k < kernel.length; k++) {
                    kernel[k] *= s[k % channels]; // output channel is the last axis of the kernel
                }
                float[] bias = new float[channels];
                boolean hasBias = l.parameters().size() > 1;
                for (int f = 0; f < channels; f++) {
                    bias[f] = (hasBias ? l.parameters().get(1).value()[f] * s[f] : 0f) + t[f];
                }
                out.add(withBias(c).newLayer());
                weights.add(new float[][]{kernel, bias});
                i++; // the BN is folded in
            } else {
                out.add(c.newLayer());
                List<Parameter> w = l.weights();
                float[][] copy = new float[w.size()][];
                for (int k = 0; k < w.size(); k++) {
                    copy[k] = w.get(k).value().clone();
                }
                weights.add(copy);
            }
        }
        out.build(model.inputShape());
        for (int i = 0; i < out.layers().size(); i++) {
            List<Parameter> w = out.layers().get(i).weights();
            float[][] values = weights.get(i);
            for (int k = 0; k < w.size(); k++) {
                System.arraycopy(values[k], 0, w.get(k).value(), 0, values[k].length);
            }
        }
        return out;
    }

    private static boolean foldable(LayerConfig c) {
        return c instanceof Conv2D.Config k && k.activation() == io.cnn4j.layers.ActivationFunction.LINEAR
                || c instanceof Dense.Config d && d.activation() == io.cnn4j.layers.ActivationFunction.LINEAR;
    }

    private static LayerConfig withBias(LayerConfig c) {
        if (c instanceof Conv2D.Config k) {
            return new Conv2D.Config(k.filters(), k.kernelSize(), k.strides(), k.padding(), k.activation(), true,
                    k.kernelInitializer(), k.biasInitializer(), k.kernelRegularizer(), k.biasRegularizer());
        }
        Dense.Config d = (Dense.Config) c;
        return new Dense.Config(d.units(), d.activation(), true, d.kernelInitializer(), d.biasInitializer(),
                d.kernelRegularizer(), d.biasRegularizer());
    }
}
