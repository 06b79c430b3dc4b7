package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

/** Keras {@code Flatten}: (N, H, W, C) → (N, H·W·C) in NHWC order, the same order as Keras' channels_last. No copy. */
public final class Flatten extends AbstractLayer<Flatten> {
    public record Config() implements LayerConfig {
        @Override
        public String className() {
            return "Flatten";
        }

        @Override
        public Layer newLayer() {
            return new Flatten(this);
        }
    }

    private int[] lastShape;

    public Flatten() {
    }

    public Flatten(Config c) {
    }

    @Override
    public Config config() {
        return new Config();
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        return new int[]{Math.toIntExact(Shapes.size(in))};
    }

    // x: (N, ...) -> y: (N, prod(...)), sharing x's data
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        lastShape = x.shape();
        return x.reshape(x.dim(0), outputShape()[0]);
    }

    // dy: (N, prod(...)) -> dx: (N, ...)
    @Override
    public Tensor backward(Tensor gradOut) {
        checkGradient(gradOut, lastShape[0]);
        return gradOut.reshape(lastShape);
    }
}
