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

    private int features;
    private int lastBatch;
    // A view is a new Tensor (and shape array) each time; the layers around reuse their buffers, so
    // the view of the same array at the same batch size is kept and handed out again instead.
    private Tensor outputView;
    private Tensor gradView;

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
        features = Math.toIntExact(Shapes.size(in));
        return new int[]{features};
    }

    // x: (N, ...) -> y: (N, prod(...)), sharing x's data
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        lastBatch = x.dim(0);
        if (outputView == null || outputView.data() != x.data() || outputView.dim(0) != lastBatch) {
            outputView = x.reshape(lastBatch, features);
        }
        return outputView;
    }

    // dy: (N, prod(...)) -> dx: (N, ...)
    @Override
    public Tensor backward(Tensor gradOut) {
        checkGradient(gradOut, lastBatch);
        if (gradView == null || gradView.data() != gradOut.data() || gradView.dim(0) != lastBatch) {
            gradView = gradOut.reshape(Shapes.prepend(lastBatch, inputShape()));
        }
        return gradView;
    }
}
