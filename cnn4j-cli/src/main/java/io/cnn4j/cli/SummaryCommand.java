package io.cnn4j.cli;

import io.cnn4j.io.SavedModel;
import io.cnn4j.model.Architectures;
import io.cnn4j.model.Sequential;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "summary", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints a model's layers, output shapes and parameter counts, as Keras' model.summary().",
                "MODEL is a built-in name (vgg-like, simple-cnn), an architecture JSON file, a .cnn4j model file, or a Keras (.h5, .keras) or ONNX (.onnx) model.",
                "Example: cnn4j summary vgg-like --input-shape 28,28,1"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure while running (bad model file)", "2:usage error"})
public final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "vgg-like, simple-cnn, FILE.json, FILE.cnn4j, FILE.h5, FILE.keras or FILE.onnx")
    String modelSpec;

    @Option(names = "--input-shape", split = ",", defaultValue = "28,28,1", paramLabel = "H,W,C",
            description = "input shape for built-in models (default: ${DEFAULT-VALUE})")
    int[] inputShape;

    @Option(names = "--classes", defaultValue = "10", description = "classes for built-in models (default: ${DEFAULT-VALUE})")
    int classes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Sequential model;
        if (ModelSource.isBuiltIn(modelSpec)) {
            if (inputShape.length != 3 || classes < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--input-shape needs H,W,C and --classes ≥ 1");
            }
            try {
                model = Architectures.create(modelSpec, inputShape, classes, 0);
                model.build();
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        } else {
            Path file = Path.of(modelSpec);
            if (!java.nio.file.Files.exists(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "'" + modelSpec + "' is neither a built-in model ("
                        + String.join(", ", Architectures.NAMES) + ") nor an existing file");
            }
            SavedModel saved = ModelSource.open(file);
            model = saved.model();
            saved.training().ifPresent(t -> out.println("checkpoint after " + t.epochsDone() + " epochs"));
            if (saved.metadata().hasNonNull("dataset")) {
                out.println("trained on: " + saved.metadata().get("dataset").asText());
            }
        }
        out.print(model.summary());
        if (model.optimizer() != null) {
            out.println("Optimizer: " + model.optimizer().name() + " " + model.optimizer().config() + ", iterations " + model.optimizer().iterations());
        }
        out.flush();
        return 0;
    }
}
