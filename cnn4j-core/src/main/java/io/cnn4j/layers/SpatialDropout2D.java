package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;

/**
 * Keras {@code SpatialDropout2D(rate, seed)} (Tompson et al. 2015, arXiv 1411.4280): drops whole
 * feature maps, i.e. {@link Dropout} with noise shape (N, 1, 1, C) on NHWC input, so every
 * channel of every sample is kept or zeroed as a whole. Because the mask is constant over H×W it
 * commutes with max and average pooling.
 *
 * <p>Refuses any input that is not rank 4 (batch, height, width, channels): PyTorch's Dropout2d
 * silently drops along the wrong axis on 3-D input; we say so instead.
 */
public final class SpatialDropout2D extends Dropout {
    public record Config(double rate, Long seed) implements LayerConfig {
        public Config {
            checkRate("SpatialDropout2D", rate);
        }

        @Override
        public String className() {
            return "SpatialDropout2D";
        }

        @Override
        public Layer newLayer() {
            return new SpatialDropout2D(this);
        }
    }

    public SpatialDropout2D(double rate) {
        this(rate, null);
    }

    public SpatialDropout2D(double rate, Long seed) {
        super(rate, null, seed);
    }

    public SpatialDropout2D(Config c) {
        this(c.rate(), c.seed());
    }

    @Override
    public LayerConfig config() {
        return new Config(rate, seed());
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 3) {
            throw new IllegalArgumentException("SpatialDropout2D '" + name() + "' needs rank-4 input (batch, height, width, channels), got "
                    + Shapes.withBatch(in) + "; it drops whole channels of images (use Dropout for other ranks)");
        }
        return super.doBuild(in, ctx);
    }

    @Override
    protected int[] noiseShape(int[] x) {
        return new int[]{x[0], 1, 1, x[3]};
    }
}
