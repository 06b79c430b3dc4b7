package io.cnn4j.layers.conv;

import io.cnn4j.kernels.ConvGeometry;

/**
 * What a 2-D convolution computes, independent of how: C input channels into F filters with the
 * given geometry along the rows ({@code gh}) and the columns ({@code gw}) of an NHWC image; the
 * shape part of Keras' {@code Conv2D} configuration, no Keras counterpart of its own.
 *
 * @param channels input channels C
 * @param filters  output channels F
 * @param gh       geometry along the height: input, kernel, stride, output, padding before
 * @param gw       geometry along the width
 */
public record ConvolutionShape(int channels, int filters, ConvGeometry gh, ConvGeometry gw) {
    public ConvolutionShape {
        if (channels < 1 || filters < 1 || gh == null || gw == null) {
            throw new IllegalArgumentException("convolution shape needs positive channels and filters and two geometries, got C="
                    + channels + " F=" + filters + " " + gh + " " + gw);
        }
    }

    /** Rows of the kernel viewed as a (kh·kw·C) × F matrix: one im2col column row per output pixel. */
    public int kernelVolume() {
        return gh.kernel() * gw.kernel() * channels;
    }

    /** Output pixels of one image, OH·OW. */
    public int pixels() {
        return gh.out() * gw.out();
    }

    /** Floats of one input image, H·W·C. */
    public int inputItem() {
        return gh.in() * gw.in() * channels;
    }

    /** Floats of one output image, OH·OW·F. */
    public int outputItem() {
        return gh.out() * gw.out() * filters;
    }

    /** Floats of the kernel (kh, kw, C, F). */
    public int kernelSize() {
        return kernelVolume() * filters;
    }
}
