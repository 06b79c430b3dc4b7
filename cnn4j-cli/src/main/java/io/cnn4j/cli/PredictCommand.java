package io.cnn4j.cli;

import io.cnn4j.data.DataFormatException;
import io.cnn4j.data.IdxFiles;
import io.cnn4j.data.NpyArray;
import io.cnn4j.data.NpyFiles;
import io.cnn4j.data.UByteArray;
import io.cnn4j.io.AtomicFiles;
import io.cnn4j.io.SavedModel;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predicts class probabilities for images with a saved model.",
                "INPUT is a .npy file (float32 in [0, 1], or uint8 pixels, which are divided by 255) or an IDX image file",
                "(.gz or raw, e.g. t10k-images-idx3-ubyte.gz), shaped (N, H, W), (N, H, W, C) or one image (H, W, C).",
                "The model's recorded preprocessing (standardisation) is applied.",
                "Output: CSV (header = class names) or .npy float32 (N, classes), chosen by the extension of --output;",
                "without --output, CSV on standard output.",
                "Example: cnn4j predict model.cnn4j images.npy --output probs.csv"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure while running (bad model or input file)", "2:usage error"})
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "a model file: .cnn4j, Keras .h5/.keras or .onnx")
    Path modelFile;

    @Parameters(index = "1", paramLabel = "INPUT", description = "images: .npy or IDX (.gz or raw)")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "FILE.csv or FILE.npy (default: CSV to standard output)")
    Path output;

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(128);

    @Override
    public Integer call() throws Exception {
        if (output != null && !output.toString().endsWith(".csv") && !output.toString().endsWith(".npy")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--output must end in .csv or .npy, got '" + output + "'");
        }
        int batchSize = batch.get(spec.commandLine());
        SavedModel saved = ModelSource.open(modelFile);
        Sequential model = saved.model();
        if (output != null) {
            AtomicFiles.checkWritable(output, "--output");
        }
        Tensor x = readImages(input, model.inputShape());
        Preprocess.checkInputs(saved.metadata(), x, input);
        Tensor probs = model.predict(Preprocess.apply(saved.metadata(), x), batchSize);
        for (float v : probs.data()) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException(modelFile + ": the model predicts " + v + " for finite inputs (its weights overflow)");
            }
        }
        List<String> names = Preprocess.classNames(saved.metadata(), probs.dim(1));
        if (output != null && output.toString().endsWith(".npy")) {
            NpyFiles.write(output, probs);
        } else {
            String csv = csv(probs, names);
            if (output == null) {
                PrintWriter out = spec.commandLine().getOut();
                out.print(csv);
                out.flush();
            } else {
                AtomicFiles.write(output, csv.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (output != null) {
            spec.commandLine().getOut().println("wrote " + probs.dim(0) + " predictions to " + output);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    static String csv(Tensor probs, List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < names.size(); j++) {
            sb.append(j > 0 ? "," : "").append(csvField(names.get(j)));
        }
        sb.append('\n');
        int k = probs.dim(1);
        float[] p = probs.data();
        for (int i = 0; i < probs.dim(0); i++) {
            for (int j = 0; j < k; j++) {
                sb.append(j > 0 ? "," : "").append(String.format(Locale.ROOT, "%.6g", p[i * k + j]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled; and a
     * text starting with = + - @ (or tab / CR) gets a leading apostrophe, so that a spreadsheet shows
     * it as text instead of running it as a formula (OWASP's advice against CSV injection).
     */
    static String csvField(String s) {
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") || s.startsWith("'")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /** Reads images and shapes them (N, H, W, C) for a model taking {@code itemShape}. */
    static Tensor readImages(Path file, int[] itemShape) throws IOException {
        Tensor x;
        if (file.toString().endsWith(".npy")) {
            NpyArray a = NpyFiles.read(file);
            x = switch (a.dtype()) {
                case UINT8 -> new UByteArray(a.shape(), a.bytes()).toTensor(255f);
                case FLOAT32 -> new Tensor(a.floats(), a.shape());
                case INT64 -> throw new DataFormatException(file, "int64 arrays are labels, not images; give float32 or uint8 images");
            };
        } else {
            x = IdxFiles.read(file).toTensor(255f);
        }
        int[] s = x.shape();
        int[] want = itemShape;
        if (Arrays.equals(s, want)) {
            return x.reshape(Shapes.prepend(1, want)); // one image
        }
        if (s.length == want.length + 1 && Arrays.equals(Arrays.copyOfRange(s, 1, s.length), want)) {
            return x;
        }
        if (s.length == want.length && want[want.length - 1] == 1
                && Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOf(want, want.length - 1))) {
            return x.reshape(Shapes.prepend(s[0], want)); // (N, H, W) grey images
        }
        throw new DataFormatException(file, "images of shape " + Shapes.toString(s) + " do not fit the model's input "
                + Shapes.withBatch(want));
    }
}
