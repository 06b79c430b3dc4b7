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
