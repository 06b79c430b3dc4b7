package io.cnn4j.cli;

import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.Parallel;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.conv.ConvolutionAlgorithm;
import io.cnn4j.layers.conv.ConvolutionAlgorithms;
import io.cnn4j.layers.conv.ConvolutionShape;
import io.cnn4j.layers.conv.WinogradConvolution;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The float error of each 3×3 convolution of a model under im2col and under Winograd, both against
 * the same convolution summed in double precision, on the activations the layer really sees (the
 * benchmark batch run through the model up to it). This is the measurement behind making Winograd
 * the default for those layers: its error next to the direct path's own rounding error. Every
 * algorithm is measured the same way, by {@link ConvolutionAlgorithm#relativeMaxError}.
 */
final class ConvErrorCheck {
    /** The choices compared, each as {@link ConvolutionAlgorithms#choose} resolves it for the backend. */
    private static final ConvAlgorithm[] COMPARED = {ConvAlgorithm.IM2COL, ConvAlgorithm.WINOGRAD};

    private ConvErrorCheck() {
    }

    /**
     * One row per Conv2D that Winograd applies to: relative max error of each algorithm (max |y − ref| / max |ref|),
     * under the key {@code <choice>_relative_max_error}.
     */
    static List<Map<String, Object>> measure(Sequential net, Tensor x, int images, Gemm gemm, int threads) {
        List<Map<String, Object>> rows = new ArrayList<>();
        Tensor in = x.slice(0, Math.min(images, x.dim(0))).copy();
        // the layers' own rule: beside a backend whose threads spin, one Java thread
        Parallel parallel = new Parallel(gemm.busyWaits() ? 1 : Math.max(1, threads));
        for (Layer l : net.layers()) {
            if (l instanceof Conv2D conv) {
                ConvolutionShape shape = conv.convolutionShape();
                if (WinogradConvolution.applies(shape)) {
                    // the convolution alone, without bias and activation
                    float[] kernel = conv.parameters().get(0).value();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("layer", conv.name());
                    row.put("input", conv.inputShape());
                    row.put("filters", shape.filters());
                    for (ConvAlgorithm a : COMPARED) {
                        ConvolutionAlgorithm algorithm = ConvolutionAlgorithms.choose(shape, gemm, parallel, a);
                        row.put(a.lower() + "_relative_max_error", algorithm.relativeMaxError(in.data(), in.dim(0), kernel));
                    }
                    rows.add(row);
                }
            }
            in = l.forward(in, false).copy();
        }
        return rows;
    }
}
