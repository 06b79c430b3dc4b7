package io.cnn4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cnn4j} command. Exit codes: 0 success, 1 a failure while running (bad data, NaN loss),
 * 2 bad usage (unknown option, invalid value).
 */
@Command(name = "cnn4j", mixinStandardHelpOptions = true, version = "cnn4j 0.1.0",
        description = "Keras-style convolutional neural networks in Java.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure while running (bad data or model file, NaN loss, I/O error)",
                "2:usage error (unknown option, invalid value)"},
        subcommands = {
                TrainCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                SummaryCommand.class,
                ExportCommand.class,
                ExampleCommand.class,
                StudyCommand.class,
                ReportCommand.class,
                BenchCommand.class,
                TuneCommand.class,
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
            Throwable shown = ex instanceof java.io.UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
            String message = shown.getMessage() == null ? shown.toString() : shown.getMessage();
            if (shown instanceof java.nio.file.NoSuchFileException nf) {
                message = "no such file: " + nf.getFile();
            }
            cmd.getErr().println("cnn4j: error: " + message);
            if (System.getenv("CNN4J_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            if (shown instanceof io.cnn4j.model.InvalidSettingException) {
                // a value the user chose is out of range: a usage error, as picocli's own
                cmd.getErr().println("Try 'cnn4j " + cmd.getCommandName() + " --help' for the options.");
                return 2;
            }
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
