package io.cnn4j.cli;

import io.cnn4j.data.DataSplits;
import io.cnn4j.data.Dataset;
import io.cnn4j.io.SavedModel;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Shapes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluates a saved model on a data set's test (or training) split: loss and accuracy.",
                "The data set defaults to the one recorded in the model file, else the embedded subset.",
                "Example: cnn4j evaluate model.cnn4j --dataset fashion-mnist"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure while running (bad model or data file)", "2:usage error"})
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "a model file: .cnn4j, Keras .h5/.keras or .onnx")
    Path modelFile;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--split", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE})")
    String split;

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(128);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!split.equals("test") && !split.equals("train")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--split must be test or train, got '" + split + "'");
        }
        int batchSize = batch.get(spec.commandLine());
        SavedModel saved = ModelSource.open(modelFile);
        Sequential model = saved.model();
        if (data.dataset == null && data.dataDir == null && saved.metadata().hasNonNull("dataset")) {
            data.dataset = saved.metadata().get("dataset").asText();
        }
        DataSplits splits = data.load(spec.commandLine().getErr(), System.console() != null);
        Dataset d = split.equals("test") ? splits.test() : splits.train();
        if (!Arrays.equals(model.inputShape(), splits.inputShape()) || model.outputShape()[0] != splits.classes()) {
            throw new IllegalArgumentException(modelFile + ": the model takes " + Shapes.withBatch(model.inputShape()) + " and gives "
                    + Shapes.withBatch(model.outputShape()) + ", but " + splits.name() + " has images " + Shapes.withBatch(splits.inputShape())
                    + " in " + splits.classes() + " classes");
        }
        if (model.optimizer() == null) {
            model.compile(new SGD(), "categorical_crossentropy", "accuracy"); // evaluate needs only the loss
        }
        Map<String, Double> score = model.evaluate(Preprocess.apply(saved.metadata(), d.x()), d.oneHot(), batchSize);
        if (!Double.isFinite(score.get("loss"))) {
            // finite weights and inputs are checked on the way in; an overflow inside the model must not pass as a result
            throw new IllegalStateException(modelFile + ": the loss on " + splits.name() + " " + split + " is " + score.get("loss")
                    + " (the model's activations overflow); no result");
        }
        out.printf(Locale.ROOT, "%s %s (%d images): loss: %.4f - accuracy: %.4f%n", splits.name(), split, d.size(),
                score.get("loss"), score.getOrDefault("accuracy", Double.NaN));
        out.flush();
        return 0;
    }
}
