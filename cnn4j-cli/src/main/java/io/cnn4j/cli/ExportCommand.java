package io.cnn4j.cli;

import io.cnn4j.io.SavedModel;
import io.cnn4j.keras.KerasModels;
import io.cnn4j.onnx.OnnxModels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a model for Keras (.keras archive or .h5 HDF5) or ONNX (.onnx, opset 13, NHWC input).",
                "IN is a .cnn4j model (or a .h5/.keras/.onnx file, to convert between them). The data set, class names and",
                "preprocessing recorded in IN go with the model (metadata Keras and ONNX runtimes ignore).",
                "ONNX gets the inference graph: dropout layers removed, activations (softmax too) kept.",
                "Example: cnn4j export --format onnx model.cnn4j model.onnx"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure while running (bad model file, a layer the format cannot hold)", "2:usage error"})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", paramLabel = "FORMAT", description = "keras or onnx (default: from OUT's extension)")
    String format;

    @Parameters(index = "0", paramLabel = "IN", description = "the model to export (.cnn4j, .h5, .keras, .onnx)")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "the file to write: .keras or .h5 for keras, .onnx for onnx")
    Path out;

    @Override
    public Integer call() throws Exception {
        String ext = out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean kerasFile = ext.endsWith(".keras") || ext.endsWith(".h5") || ext.endsWith(".hdf5");
        boolean onnxFile = ext.endsWith(".onnx");
        String f = format == null ? (kerasFile ? "keras" : onnxFile ? "onnx" : null) : format.toLowerCase(Locale.ROOT);
        if (f == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "OUT '" + out + "' must end in .keras, .h5 or .onnx (or give --format)");
        }
        if (!f.equals("keras") && !f.equals("onnx")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be keras or onnx, got '" + format + "'");
        }
        if (f.equals("keras") && !kerasFile || f.equals("onnx") && !onnxFile) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format " + f + " writes "
                    + (f.equals("keras") ? ".keras or .h5" : ".onnx") + " files, but OUT is '" + out + "'");
        }
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "IN and OUT are the same file");
        }
        SavedModel saved = ModelSource.open(in);
        if (f.equals("keras")) {
            KerasModels.save(saved.model(), saved.metadata(), out);
        } else {
            OnnxModels.save(saved.model(), saved.metadata(), out);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s (%s, %d layers, %d parameters)%n", out, f.equals("keras")
                ? (ext.endsWith(".keras") ? "Keras 3 archive" : "Keras 2 HDF5") : "ONNX opset " + OnnxModels.OPSET,
                saved.model().layers().size(), saved.model().parameterCount());
        w.flush();
        return 0;
    }
}
