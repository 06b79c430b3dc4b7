package io.cnn4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cnn4j} command. Exit codes: 0 success, 1 a failure while running (bad data, NaN loss),
 * 2 bad usage (unknown option, invalid value).
 */
@Command(name = "cnn4j", mixinStandardHelpOptions = true, version = "cnn4j 0.1.0",
        description = "Keras-style convolutional neural networks in Java.",
        subcommands = {
                ExampleCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            cmd.getErr().println("cnn4j: error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("CNN4J_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
