package io.cnn4j.layers;

import io.cnn4j.kernels.ConvGeometry;
import io.cnn4j.kernels.Padding;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * What max and average pooling share: Keras' options (pool_size default (2, 2), strides default
 * to pool_size, padding "valid") and the window geometry over NHWC input.
 */
public abstract class Pooling2D<SELF extends Pooling2D<SELF>> extends AbstractLayer<SELF> {
    public record Config(String className, int[] poolSize, int[] strides, Padding padding) implements LayerConfig {
        public Config {
            LayerConfig.required("Pooling2D", "class name", className);
            LayerConfig.required(className, "padding", padding);
            if (poolSize == null || poolSize.length != 2 || poolSize[0] < 1 || poolSize[1] < 1) {
                throw new IllegalArgumentException(className + " pool_size must be two positive integers, got " + Arrays.toString(poolSize));
            }
            if (strides == null) {
                strides = poolSize.clone();
            }
            if (strides.length != 2 || strides[0] < 1 || strides[1] < 1) {
                throw new IllegalArgumentException(className + " strides must be two positive integers, got " + Arrays.toString(strides));
            }
            poolSize = poolSize.clone();
            strides = strides.clone();
        }

        @Override
        public Layer newLayer() {
            return switch (className) {
                case "MaxPooling2D" -> new MaxPooling2D(this);
                case "AveragePooling2D" -> new AveragePooling2D(this);
                default -> throw new IllegalArgumentException("unknown pooling layer '" + className + "'");
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && className.equals(c.className) && Arrays.equals(poolSize, c.poolSize)
                    && Arrays.equals(strides, c.strides) && padding == c.padding;
        }

        @Override
        public int hashCode() {
            return className.hashCode() + 31 * Arrays.hashCode(poolSize) + 17 * Arrays.hashCode(strides) + padding.hashCode();
        }
    }

    protected int[] poolSize = {2, 2};
    protected int[] strides;
    protected Padding padding = Padding.VALID;
    protected ConvGeometry gh;
    protected ConvGeometry gw;
    protected int channels;

    protected Pooling2D(int ph, int pw) {
        this.poolSize = new int[]{ph, pw};
        config();
    }

    protected Pooling2D(Config c) {
        this.poolSize = c.poolSize();
        this.strides = c.strides();
        this.padding = c.padding();
    }

    public SELF strides(int sh, int sw) {
        requireNotBuilt();
        this.strides = new int[]{sh, sw};
        config();
        return self();
    }

    public SELF padding(String p) {
        requireNotBuilt();
        this.padding = Padding.parse(p);
        return self();
    }

    public int[] poolSize() {
        return poolSize.clone();
    }

    @Override
    public Config config() {
        return new Config(getClass().getSimpleName(), poolSize, strides, padding);
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 3) {
            throw new IllegalArgumentException(className() + " '" + name() + "' expects input of rank 4 (batch, height, width, channels), got "
                    + Shapes.withBatch(in));
        }
        int[] s = strides == null ? poolSize : strides;
        gh = ConvGeometry.of(in[0], poolSize[0], s[0], padding);
        gw = ConvGeometry.of(in[1], poolSize[1], s[1], padding);
        if (gh.out() <= 0 || gw.out() <= 0) {
            throw new IllegalArgumentException(className() + " '" + name() + "': pool " + Arrays.toString(poolSize)
                    + " does not fit input " + Shapes.withBatch(in));
        }
        channels = in[2];
        return new int[]{gh.out(), gw.out(), channels};
    }

    /** Window rows [h0, h1) of output row oh, clipped to the image (padding cells are never read). */
    protected final int rowStart(int oh) {
        return Math.max(0, oh * gh.stride() - gh.padBefore());
    }

    protected final int rowEnd(int oh) {
        return Math.min(gh.in(), oh * gh.stride() - gh.padBefore() + gh.kernel());
    }

    protected final int colStart(int ow) {
        return Math.max(0, ow * gw.stride() - gw.padBefore());
    }

    protected final int colEnd(int ow) {
        return Math.min(gw.in(), ow * gw.stride() - gw.padBefore() + gw.kernel());
    }

    protected final Tensor outputBuffer(Tensor previous, int n) {
        return reuse(previous, n, gh.out(), gw.out(), channels);
    }
}
