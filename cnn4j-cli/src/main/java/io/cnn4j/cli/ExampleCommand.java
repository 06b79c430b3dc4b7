package io.cnn4j.cli;

import io.cnn4j.examples.ModernExample;
import io.cnn4j.examples.VggLikeExample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "example", mixinStandardHelpOptions = true,
        description = {"Runs a Keras example ported to cnn4j. Available: vgg-like (the Keras docs' VGG-like convnet on random data),",
                "modern (Conv-BN-ReLU blocks, global average pooling, dropout, EarlyStopping and ReduceLROnPlateau on the embedded",
                "Fashion-MNIST subset)."})
public final class ExampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "example name: vgg-like or modern")
    String name;

    @Option(names = "--epochs", defaultValue = "10", description = "epochs (default: ${DEFAULT-VALUE}, as in Keras)")
    int epochs;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        switch (name) {
            case "vgg-like" -> VggLikeExample.run(seed, epochs, 1);
            case "modern" -> ModernExample.run(seed, epochs, 1);
            default -> {
                System.err.println("cnn4j: unknown example '" + name + "'; available: vgg-like, modern");
                return 2;
            }
        }
        return 0;
    }
}
