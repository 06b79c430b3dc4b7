package io.cnn4j.study;

import io.cnn4j.layers.Layer;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.Pooling2D;
import io.cnn4j.model.Architectures;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * The architecture the variants are derived from: layer configurations (no weights) and the input
 * shape (height, width, channels).
 *
 * @param name        for provenance, e.g. "vgg-like"
 * @param layers      the base model's layers in order, including its own dropout layers
 * @param inputShape  (H, W, C) without the batch axis
 */
public record BaseModel(String name, List<LayerConfig> layers, int[] inputShape) {
    public BaseModel {
        layers = List.copyOf(layers);
        inputShape = inputShape.clone();
        if (layers.stream().noneMatch(StudyLayers::isPooling)) {
            throw new IllegalArgumentException("base model '" + name + "' has no pooling layer; the placement study needs at least one");
        }
    }

    /** A built-in architecture by name (see {@link Architectures#NAMES}) adapted to the data's shape. */
    public static BaseModel builtIn(String name, int[] inputShape, int classes) {
        return of(name, Architectures.create(name, inputShape, classes, 0L), inputShape);
    }

    /**
     * A built-in name, or a Keras-style model JSON file (anything ending in .json), checked against
     * the data's image shape and class count.
     */
    public static BaseModel resolve(String model, int[] inputShape, int classes) {
        if (!model.toLowerCase(java.util.Locale.ROOT).endsWith(".json")) {
            return builtIn(model, inputShape, classes);
        }
        java.nio.file.Path file = java.nio.file.Path.of(model);
        Sequential m;
        try {
            m = io.cnn4j.io.ModelJson.read(file, 0L);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read model JSON " + file + ": " + e.getMessage(), e);
        }
        int[] declared = m.layers().get(0).declaredInputShape();
        if (declared != null && !java.util.Arrays.equals(declared, inputShape)) {
            throw new IllegalArgumentException("model " + file + " expects images of shape " + Shapes.toString(declared)
                    + " but the data has " + Shapes.toString(inputShape));
        }
        try {
            m.build(inputShape);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("model " + file + ": " + e.getMessage(), e);
        }
        int out = m.outputShape()[m.outputShape().length - 1];
        if (out != classes) {
            throw new IllegalArgumentException("model " + file + " ends in " + out + " outputs but the data has " + classes + " classes");
        }
        return of(file.getFileName().toString(), m, inputShape);
    }

    public static BaseModel of(String name, Sequential model, int[] inputShape) {
        List<LayerConfig> configs = new ArrayList<>();
        for (Layer l : model.layers()) {
            configs.add(l.config());
        }
        return new BaseModel(name, configs, inputShape);
    }

    /** The k×k window size of the first pooling layer, used to match rates (p_before = p_after^(1/k²)). */
    public int firstPoolWindow() {
        for (LayerConfig c : layers) {
            if (c instanceof Pooling2D.Config p) {
                return p.poolSize()[0] * p.poolSize()[1];
            }
        }
        throw new IllegalStateException("no pooling layer");
    }

    public String describe() {
        StringBuilder sb = new StringBuilder(name).append(" on ").append(Shapes.toString(inputShape)).append(": ");
        for (int i = 0; i < layers.size(); i++) {
            sb.append(i > 0 ? " → " : "").append(layers.get(i).className());
        }
        return sb.toString();
    }
}
