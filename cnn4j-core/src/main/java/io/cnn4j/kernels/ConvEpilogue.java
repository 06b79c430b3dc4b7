package io.cnn4j.kernels;

/**
 * What a convolution does to each output pixel right after computing it, while the pixel is still
 * in cache: add the bias, then ReLU or nothing; no Keras counterpart (it is the bias and activation
 * of Keras' {@code Conv2D}, moved into the algorithm's output pass). The float operations are those
 * of the layer's separate pass ({@code Math.max(y + b, 0f)}, {@code y + b}), so fusing it changes no
 * bit; it saves a pass over the whole output (for the VGG-like net's first block, 39 MB read and
 * written per batch of 32).
 *
 * @param bias the bias per filter (F floats; zeros for a layer without bias and ReLU)
 * @param relu ReLU after the bias, else the bias alone
 */
public record ConvEpilogue(float[] bias, boolean relu) {
    public ConvEpilogue {
        if (bias == null) {
            throw new IllegalArgumentException("a convolution epilogue needs a bias array (zeros when the layer has none)");
        }
    }

    // y: pixels [0, count) from off, F floats each -> activation(y + bias), in place
    public void apply(float[] y, int off, int count, int filters) {
        float[] b = bias;
        int end = off + count * filters;
        if (relu) {
            // Math.max as in Conv2D's own pass (branch-free; NaN stays NaN)
            for (int r = off; r < end; r += filters) {
                for (int f = 0; f < filters; f++) {
                    y[r + f] = Math.max(y[r + f] + b[f], 0f);
                }
            }
        } else {
            for (int r = off; r < end; r += filters) {
                for (int f = 0; f < filters; f++) {
                    y[r + f] += b[f];
                }
            }
        }
    }
}
