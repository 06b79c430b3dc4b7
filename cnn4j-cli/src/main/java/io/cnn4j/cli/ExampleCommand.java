package io.cnn4j.cli;

import io.cnn4j.examples.VggLikeExample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "example", mixinStandardHelpOptions = true,
        description = "Runs a Keras example ported to cnn4j. Available: vgg-like (the Keras docs' VGG-like convnet on random data).")
public final class ExampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "example name: vgg-like")
    String name;

    @Option(names = "--epochs", defaultValue = "10", description = "epochs (default: ${DEFAULT-VALUE}, as in Keras)")
    int epochs;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        if (!name.equals("vgg-like")) {
            System.err.println("cnn4j: unknown example '" + name + "'; available: vgg-like");
            return 2;
        }
        VggLikeExample.run(seed, epochs, 1);
        return 0;
    }
}
