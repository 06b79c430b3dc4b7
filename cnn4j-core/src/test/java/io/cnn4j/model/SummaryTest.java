package io.cnn4j.model;

import io.cnn4j.layers.AveragePooling2D;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** summary(): Keras' names, shapes and parameter counts, in aligned columns. */
class SummaryTest {

    @Test
    void vggLikeMatchesKeras() {
        Sequential model = Architectures.vggLike(new int[]{100, 100, 3}, 10, 7);
        model.compile(new SGD(0.01, 0.9, true, 1e-6), "categorical_crossentropy");
        List<String> names = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (Layer l : model.layers()) {
            names.add(l.name());
            counts.add(l.parameterCount());
        }
        assertThat(names).containsExactly("conv2d", "conv2d_1", "max_pooling2d", "dropout", "conv2d_2", "conv2d_3",
                "max_pooling2d_1", "dropout_1", "flatten", "dense", "dropout_2", "dense_1");
        // Keras: a 3×3 conv has (9·C + 1)·F parameters, a dense (in + 1)·units
        long c1 = (9 * 3 + 1) * 32, c2 = (9 * 32 + 1) * 32, c3 = (9 * 32 + 1) * 64, c4 = (9 * 64 + 1) * 64;
        long d1 = (22L * 22 * 64 + 1) * 256, d2 = (256 + 1) * 10;
        assertThat(counts).containsExactly(c1, c2, 0L, 0L, c3, c4, 0L, 0L, 0L, d1, 0L, d2);
        assertThat(c1 + c2 + c3 + c4 + d1 + d2).isEqualTo(7_998_250L);
        assertThat(model.parameterCount()).isEqualTo(7_998_250L);

        String s = model.summary();
        assertThat(s).contains("Model: \"sequential\"", "Total params: 7,998,250", "Trainable params: 7,998,250",
                "Non-trainable params: 0");
        assertThat(s).contains("conv2d (Conv2D)", "max_pooling2d_1 (MaxPooling2D)", "dropout_2 (Dropout)", "flatten (Flatten)",
                "dense_1 (Dense)");
        assertThat(s).contains("(None, 98, 98, 32)", "(None, 48, 48, 32)", "(None, 22, 22, 64)", "(None, 30976)", "(None, 256)",
                "(None, 10)", "7930112");
        assertAligned(s, 12);
    }

    @Test
    void longNamesWidenTheColumns() {
        Sequential model = new Sequential(1);
        model.add(new Conv2D(2, 3, 3).padding("same").inputShape(4, 4, 1).name("a_rather_long_convolution_layer_name"));
        model.add(new SpatialDropout2D(0.1));
        model.add(new AveragePooling2D());
        model.add(new Flatten());
        model.add(new Dense(3, "softmax"));
        model.build();
        String s = model.summary();
        assertThat(s).contains("a_rather_long_convolution_layer_name (Conv2D)", "spatial_dropout2d (SpatialDropout2D)",
                "average_pooling2d (AveragePooling2D)");
        assertAligned(s, 5);
    }

    /** Every layer row has its shape under "Output Shape" and its count under "Param #"; all rules are as wide as the table. */
    private static void assertAligned(String summary, int layerRows) {
        String[] lines = summary.split("\\R");
        String header = null;
        int width = lines[1].length();
        int rows = 0;
        for (String line : lines) {
            if (line.startsWith("_") || line.startsWith("=")) {
                assertThat(line).hasSize(width);
            } else if (line.contains("Layer (type)")) {
                header = line;
            } else if (header != null && line.contains("(None")) {
                rows++;
                int shapeAt = header.indexOf("Output Shape"), countAt = header.indexOf("Param #");
                assertThat(line.indexOf("(None")).as("shape column of '%s'", line).isEqualTo(shapeAt);
                assertThat(line.charAt(shapeAt - 1)).isEqualTo(' ');
                assertThat(Character.isDigit(line.charAt(countAt))).as("count column of '%s'", line).isTrue();
                assertThat(line.charAt(countAt - 1)).isEqualTo(' ');
                assertThat(line.stripTrailing().length()).isLessThanOrEqualTo(width);
            }
        }
        assertThat(rows).isEqualTo(layerRows);
    }
}
