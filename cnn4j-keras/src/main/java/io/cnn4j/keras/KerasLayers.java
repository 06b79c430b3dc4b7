package io.cnn4j.keras;

import io.cnn4j.layers.Layer;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One entry per cnn4j layer: the Keras class it is saved as and the names of its weights in the
 * order Keras' {@code layer.weights} lists them (trainable first, then non-trainable), which is the
 * order of cnn4j's {@code Layer.parameters()} and of the {@code weight_names} / {@code vars/0..n}
 * entries of Keras files. Layers missing here (cnn4j's own MaxPoolingDropout2D and DropBlock2D) have
 * no Keras class, so a Keras file cannot hold them.
 */
final class KerasLayers {
    /** Keras' weight names of each supported class. */
    private static final Map<String, List<String>> WEIGHTS = Map.of(
            "Conv2D", List.of("kernel", "bias"),
            "Dense", List.of("kernel", "bias"),
            "MaxPooling2D", List.of(),
            "AveragePooling2D", List.of(),
            "Dropout", List.of(),
            "SpatialDropout2D", List.of(),
            "Flatten", List.of(),
            "Activation", List.of());

    private KerasLayers() {
    }

    /** The layer's weight names as Keras writes them ("kernel", "bias"), or an error naming the layer when Keras has no such class. */
    static List<String> weightNames(Layer l) {
        List<String> names = WEIGHTS.get(l.className());
        if (names == null) {
            throw new IllegalArgumentException("layer '" + l.name() + "' (" + l.className() + ") has no Keras counterpart, so Keras could not "
                    + "load the file; keep it in a .cnn4j file, or replace it by a Keras layer before exporting");
        }
        // use_bias = False: the kernel only
        return names.subList(0, l.parameters().size());
    }

    private static final Pattern CAMEL_1 = Pattern.compile("(.)([A-Z][a-z]+)");
    private static final Pattern CAMEL_2 = Pattern.compile("([a-z])([A-Z])");

    /**
     * Keras' {@code naming.to_snake_case} (keras/src/utils/naming.py): the name saving_lib gives a
     * layer's group in a .keras weights file ("Conv2D" to "conv2d", "MaxPooling2D" to "max_pooling2d").
     */
    static String toSnakeCase(String className) {
        String s = className.replaceAll("\\W+", "");
        s = CAMEL_1.matcher(s).replaceAll("$1_$2");
        return CAMEL_2.matcher(s).replaceAll("$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
