package io.cnn4j.kernels;

/**
 * What a convolution does to each output pixel right after computing it, while the pixel is still
 * in cache: add the bias, then ReLU or nothing; no Keras counterpart (it is the bias and activation
 * of Keras' {@code Conv2D}, moved into the algorithm's output pass). The float operations are those
 * of the layer's separate pass ({@code Math.max(y + b, 0f)}, {@code y + b}), so fusing it changes no
 * bit; it saves a pass over the whole output (for the VGG-like net's first block, 39 MB read and
 * written per batch of 32).
 *
 * @param bias   the bias per filter (F floats; zeros for a layer without bias and ReLU)
 * @param relu   ReLU after the bias, else the bias alone
 * @param kernel the loops that do it ({@link BiasActivation#best()} by default)
 */
public record ConvEpilogue(float[] bias, boolean relu, BiasActivation kernel) {
    public ConvEpilogue {
        if (bias == null) {
            throw new IllegalArgumentException("a convolution epilogue needs a bias array (zeros when the layer has none)");
        }
        if (kernel == null) {
            throw new IllegalArgumentException("a convolution epilogue needs its bias-and-activation loops");
        }
    }

    /** With the best loops for this JVM (the Vector API's where readable). */
    public ConvEpilogue(float[] bias, boolean relu) {
        this(bias, relu, BiasActivation.best());
    }

    // y: pixels [0, count) from off, F floats each -> activation(y + bias), in place
    public void apply(float[] y, int off, int count, int filters) {
        if (relu) {
            kernel.biasRelu(y, off, count, filters, bias);
        } else {
            kernel.bias(y, off, count, filters, bias);
        }
    }
}
