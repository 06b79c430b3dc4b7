package io.cnn4j.cli;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.ConvGeometry;
import io.cnn4j.kernels.WinogradConv3x3;
import io.cnn4j.layers.BuildContext;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Layer;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The float error of each 3×3 convolution of a model under im2col and under Winograd, both against
 * the same convolution summed in double precision, on the activations the layer really sees (the
 * benchmark batch run through the model up to it). This is the measurement behind making Winograd
 * the default for those layers: its error next to the direct path's own rounding error.
 */
final class ConvErrorCheck {
    private ConvErrorCheck() {
    }

    /** One row per Conv2D that Winograd applies to: relative max error of each algorithm (max |y − ref| / max |ref|). */
    static List<Map<String, Object>> measure(Sequential net, Tensor x, int images) {
        List<Map<String, Object>> rows = new ArrayList<>();
        Tensor in = x.slice(0, Math.min(images, x.dim(0))).copy();
        for (Layer l : net.layers()) {
            if (l instanceof Conv2D conv) {
                Conv2D.Config c = conv.config();
                int[] item = conv.inputShape();
                ConvGeometry gh = ConvGeometry.of(item[0], c.kernelSize()[0], c.strides()[0], c.padding());
                ConvGeometry gw = ConvGeometry.of(item[1], c.kernelSize()[1], c.strides()[1], c.padding());
                if (WinogradConv3x3.applies(gh, gw)) {
                    // without bias and activation: the convolution alone
                    Conv2D.Config plain = new Conv2D.Config(c.filters(), c.kernelSize(), c.strides(), c.padding(),
                            io.cnn4j.layers.ActivationFunction.LINEAR, false, c.kernelInitializer(), c.biasInitializer());
                    float[] kernel = conv.parameters().get(0).value();
                    double[] ref = direct(in.data(), in.dim(0), item[0], item[1], item[2], kernel, c.filters(), gh, gw);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("layer", conv.name());
                    row.put("input", item.clone());
                    row.put("filters", c.filters());
                    for (ConvAlgorithm a : new ConvAlgorithm[]{ConvAlgorithm.IM2COL, ConvAlgorithm.WINOGRAD}) {
                        Conv2D copy = (Conv2D) plain.newLayer();
                        copy.build(item, new BuildContext(new SplittableRandom(0), Backends.select(), Backends.threads(), a));
                        System.arraycopy(kernel, 0, copy.parameters().get(0).value(), 0, kernel.length);
                        row.put(a.lower() + "_relative_max_error", relativeMaxError(copy.forward(in, false).data(), ref));
                    }
                    rows.add(row);
                }
            }
            in = l.forward(in, false).copy();
        }
        return rows;
    }

    private static double relativeMaxError(float[] y, double[] ref) {
        double worst = 0, scale = 0;
        for (int i = 0; i < ref.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] - ref[i]));
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        return scale == 0 ? worst : worst / scale;
    }

    // x: (N, H, W, C), kernel (3, 3, C, F) -> (N, OH, OW, F) in double, no bias
    private static double[] direct(float[] x, int n, int h, int w, int c, float[] kernel, int f, ConvGeometry gh, ConvGeometry gw) {
        int oh = gh.out(), ow = gw.out();
        double[] y = new double[n * oh * ow * f];
        double[] acc = new double[f];
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    java.util.Arrays.fill(acc, 0);
                    for (int a = 0; a < 3; a++) {
                        int iy = oy + a - gh.padBefore();
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int d = 0; d < 3; d++) {
                            int ix = ox + d - gw.padBefore();
                            if (ix < 0 || ix >= w) {
                                continue;
                            }
                            int xo = ((b * h + iy) * w + ix) * c, ko = (a * 3 + d) * c * f;
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
}
