package io.cnn4j.layers.conv;

import io.cnn4j.kernels.ConvGeometry;

import java.util.Arrays;

/**
 * A direct 2-D convolution summed in double precision, the reference every
 * {@link ConvolutionAlgorithm} is measured against; no Keras counterpart. Slow on purpose: one
 * output pixel at a time, any kernel size, stride and padding.
 */
public final class ConvolutionReference {
    private ConvolutionReference() {
    }

    /**
     * x: (N, H, W, C), kernel (kh, kw, C, F) -> (N, OH, OW, F) in double, no bias.
     *
     * @param s      the convolution's shape
     * @param x      input batch
     * @param n      images N
     * @param kernel kernel in Keras' layout
     * @return the output in double precision
     */
    public static double[] forward(ConvolutionShape s, float[] x, int n, float[] kernel) {
        ConvGeometry gh = s.gh(), gw = s.gw();
        int h = gh.in(), w = gw.in(), c = s.channels(), f = s.filters(), oh = gh.out(), ow = gw.out();
        double[] y = new double[n * oh * ow * f];
        double[] acc = new double[f];
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    Arrays.fill(acc, 0);
                    for (int a = 0; a < gh.kernel(); a++) {
                        int iy = oy * gh.stride() + a - gh.padBefore();
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int d = 0; d < gw.kernel(); d++) {
                            int ix = ox * gw.stride() + d - gw.padBefore();
                            if (ix < 0 || ix >= w) {
                                continue;
                            }
                            int xo = ((b * h + iy) * w + ix) * c, ko = (a * gw.kernel() + d) * c * f;
                            for (int ci = 0; ci < c; ci++) {
                                double xv = x[xo + ci];
                                int kr = ko + ci * f;
                                for (int fi = 0; fi < f; fi++) {
                                    acc[fi] += xv * kernel[kr + fi];
                                }
                            }
                        }
                    }
                    System.arraycopy(acc, 0, y, ((b * oh + oy) * ow + ox) * f, f);
                }
            }
        }
        return y;
    }

    /**
     * dz: (N, OH, OW, F) -> kernel gradient (kh, kw, C, F) and input gradient (N, H, W, C) in double,
     * the adjoint of {@link #forward}.
     *
     * @param s      the convolution's shape
     * @param x      input batch
     * @param n      images N
     * @param dz     output gradient
     * @param kernel kernel in Keras' layout
     * @param dw     kernel gradient, overwritten (kh·kw·C·F values)
     * @param dx     input gradient, overwritten (N·H·W·C values)
     */
    public static void backward(ConvolutionShape s, float[] x, int n, float[] dz, float[] kernel, double[] dw, double[] dx) {
        ConvGeometry gh = s.gh(), gw = s.gw();
        int h = gh.in(), w = gw.in(), c = s.channels(), f = s.filters(), oh = gh.out(), ow = gw.out();
        Arrays.fill(dw, 0);
        Arrays.fill(dx, 0);
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int zo = ((b * oh + oy) * ow + ox) * f;
                    for (int a = 0; a < gh.kernel(); a++) {
                        int iy = oy * gh.stride() + a - gh.padBefore();
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int d = 0; d < gw.kernel(); d++) {
                            int ix = ox * gw.stride() + d - gw.padBefore();
                            if (ix < 0 || ix >= w) {
                                continue;
                            }
                            int xo = ((b * h + iy) * w + ix) * c, ko = (a * gw.kernel() + d) * c * f;
                            for (int ci = 0; ci < c; ci++) {
                                double xv = x[xo + ci], g = 0;
                                int kr = ko + ci * f;
                                for (int fi = 0; fi < f; fi++) {
                                    dw[kr + fi] += xv * dz[zo + fi];
                                    g += (double) dz[zo + fi] * kernel[kr + fi];
                                }
                                dx[xo + ci] += g;
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * max |y − ref| / max |ref|, or max |y − ref| when ref is all zero.
     *
     * @param y   computed values
     * @param ref reference values, as many
     * @return the relative max error
     */
    public static double relativeMaxError(float[] y, double[] ref) {
        if (y.length < ref.length) {
            throw new IllegalArgumentException("relative max error: " + y.length + " values for " + ref.length + " reference values");
        }
        double worst = 0, scale = 0;
        for (int i = 0; i < ref.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] - ref[i]));
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        return scale == 0 ? worst : worst / scale;
    }
}
