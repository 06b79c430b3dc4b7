package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;

/** Keras {@code Activation} layer: applies an activation function; softmax acts on the last axis. */
public final class Activation extends AbstractLayer<Activation> {
    public record Config(ActivationFunction activation) implements LayerConfig {
        public Config {
            LayerConfig.required("Activation", "activation", activation);
        }

        @Override
        public String className() {
            return "Activation";
        }

        @Override
        public Layer newLayer() {
            return new Activation(this);
        }
    }

    private final ActivationFunction function;
    private Tensor output;
    private Tensor gradInput;
    private int width;
    private boolean passThrough;

    public Activation(String activation) {
        this.function = ActivationFunction.parse(activation);
    }

    public Activation(Config c) {
        this.function = c.activation();
    }

    @Override
    public Config config() {
        return new Config(function);
    }

    /** The preceding layer already applies this (fused BatchNormalization + ReLU): pass tensors through unchanged. */
    void passThrough() {
        this.passThrough = true;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        width = in[in.length - 1];
        return in.clone();
    }

    // x: (N, ...) -> y: (N, ...)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        if (passThrough) {
            return x;
        }
        output = reuseLike(output, x);
        System.arraycopy(x.data(), 0, output.data(), 0, x.size());
        function.apply(output.data(), 0, output.size(), width);
        return output;
    }

    // dy: (N, ...) -> dx: (N, ...)
    @Override
    public Tensor backward(Tensor gradOut) {
        if (passThrough) {
            return gradOut;
        }
        checkGradient(gradOut, output.dim(0));
        gradInput = reuseLike(gradInput, gradOut);
        function.backward(output.data(), gradOut.data(), gradInput.data(), 0, gradOut.size(), width);
        return gradInput;
    }

    @Override
    public boolean endsWithSoftmax() {
        return function == ActivationFunction.SOFTMAX;
    }

    @Override
    public Tensor backwardFromLogits(Tensor gradLogits) {
        return gradLogits;
    }
}
