package io.cnn4j.keras;

import io.cnn4j.layers.Layer;

import io.cnn4j.layers.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cnn4j layers Keras has, by Keras class name, and the names of their weights as Keras writes
 * them, in the order of Keras' {@code layer.weights} (trainable first, then non-trainable), which is
 * the order of cnn4j's {@code Layer.weights()} and of the {@code weight_names} / {@code vars/0..n}
 * entries of Keras files: Conv2D and Dense {@code kernel, bias}; BatchNormalization {@code gamma,
 * beta, moving_mean, moving_variance} (gamma without scale, beta without center left out). Layers
 * missing here (cnn4j's own MaxPoolingDropout2D and DropBlock2D) have no Keras class, so a Keras
 * file cannot hold them; adding a layer Keras has means adding its class name here.
 */
final class KerasLayers {
    /** Keras classes with a cnn4j layer. */
    private static final Set<String> KERAS_CLASSES = Set.of("Conv2D", "Dense", "MaxPooling2D", "AveragePooling2D", "Dropout",
            "SpatialDropout2D", "Flatten", "Activation", "BatchNormalization", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
            "ZeroPadding2D", "ReLU");

    private KerasLayers() {
    }

    /**
     * The layer's weight names as Keras writes them ("kernel", "bias", "moving_mean"), the last part
     * of cnn4j's parameter names, or an error naming the layer when Keras has no such class.
     */
    static List<String> weightNames(Layer l) {
        if (!KERAS_CLASSES.contains(l.className())) {
            throw new IllegalArgumentException("layer '" + l.name() + "' (" + l.className() + ") has no Keras counterpart, so Keras could not "
                    + "load the file; keep it in a .cnn4j file, or replace it by a Keras layer before exporting");
        }
        if (l.name().contains("/") || l.name().isEmpty()) {
            throw new IllegalArgumentException("layer '" + l.name() + "': Keras layer names cannot be empty or contain '/' "
                    + "(it separates HDF5 groups); rename the layer before exporting");
        }
        List<String> names = new ArrayList<>();
        for (Parameter p : l.weights()) {
            names.add(p.name().substring(p.name().lastIndexOf('/') + 1));
        }
        return names;
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
