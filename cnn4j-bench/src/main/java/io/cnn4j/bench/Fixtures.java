package io.cnn4j.bench;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.layers.AbstractLayer;
import io.cnn4j.layers.BuildContext;
import io.cnn4j.tensor.Tensor;

import java.util.SplittableRandom;

/** Shared set-up for the benchmarks: random tensors and layers built outside a model. */
final class Fixtures {
    private Fixtures() {
    }

    static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return t;
    }

    static float[] randomArray(long seed, int size) {
        return random(seed, size).data();
    }

    /** Builds {@code layer} for inputs {@code inputShape} (no batch axis) with the named backend and thread count. */
    static <L extends AbstractLayer<L>> L build(L layer, int[] inputShape, String backend, int threads, boolean inputGradient) {
        return build(layer, inputShape, backend, threads, inputGradient, ConvAlgorithm.requested());
    }

    /** As above, with convolutions computed by {@code conv}. */
    static <L extends AbstractLayer<L>> L build(L layer, int[] inputShape, String backend, int threads, boolean inputGradient,
                                                ConvAlgorithm conv) {
        Gemm gemm = Backends.select(backend, threads);
        layer.setComputeInputGradient(inputGradient);
        layer.build(inputShape, new BuildContext(new SplittableRandom(1), gemm, threads, conv));
        return layer;
    }
}
