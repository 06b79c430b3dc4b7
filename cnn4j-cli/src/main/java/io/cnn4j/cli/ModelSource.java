package io.cnn4j.cli;

import io.cnn4j.io.ModelFiles;
import io.cnn4j.keras.KerasModels;
import io.cnn4j.onnx.OnnxModels;
import io.cnn4j.io.ModelJson;
import io.cnn4j.io.SavedModel;
import io.cnn4j.model.Architectures;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Shapes;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Turns a --model argument into a model: a built-in name, an architecture JSON file, a saved .cnn4j
 * model, or a model from Keras (.h5, .hdf5, .keras) or ONNX (.onnx).
 */
final class ModelSource {
    private ModelSource() {
    }

    static boolean isBuiltIn(String spec) {
        return Architectures.NAMES.contains(spec.toLowerCase(Locale.ROOT));
    }

    /** A fresh model for inputs of {@code inputShape} and {@code classes} classes. */
    static Sequential create(String spec, int[] inputShape, int classes, long seed, CommandLine cmd) throws IOException {
        if (isBuiltIn(spec)) {
            return Architectures.create(spec, inputShape, classes, seed);
        }
        Path file = Path.of(spec);
        if (!Files.exists(file)) {
            throw new CommandLine.ParameterException(cmd, "--model '" + spec + "' is neither a built-in model ("
                    + String.join(", ", Architectures.NAMES) + ") nor an existing file");
        }
        Sequential m;
        if (spec.endsWith(ModelFiles.EXTENSION) || isKeras(file) || isOnnx(file)) {
            m = open(file).model();
        } else {
            m = ModelJson.load(file, seed);
        }
        if (!Arrays.equals(m.inputShape(), inputShape)) {
            throw new IllegalArgumentException(file + ": the model expects inputs " + Shapes.withBatch(m.inputShape())
                    + " but the data are " + Shapes.withBatch(inputShape));
        }
        if (m.outputShape().length != 1 || m.outputShape()[0] != classes) {
            throw new IllegalArgumentException(file + ": the model outputs " + Shapes.withBatch(m.outputShape())
                    + " but the data have " + classes + " classes");
        }
        return m;
    }

    static boolean isKeras(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".h5") || n.endsWith(".hdf5") || n.endsWith(".keras");
    }

    static boolean isOnnx(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /** A saved model file (.cnn4j, Keras .h5/.keras, .onnx) or an architecture JSON, for summary/evaluate/predict/export. */
    static SavedModel open(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such model file");
        }
        if (isKeras(file)) {
            return KerasModels.read(file);
        }
        if (isOnnx(file)) {
            return OnnxModels.read(file);
        }
        if (file.toString().endsWith(".json")) {
            Sequential m = ModelJson.load(file, 0);
            return new SavedModel(m, java.util.Optional.empty(), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        }
        return ModelFiles.read(file, null);
    }
}
