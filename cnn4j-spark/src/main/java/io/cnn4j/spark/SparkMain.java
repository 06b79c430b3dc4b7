package io.cnn4j.spark;

import io.cnn4j.cli.Main;
import io.cnn4j.spark.study.SparkStudyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cnn4j-spark} command (bin/cnn4j-spark, or the main class of the application jar for
 * spark-submit). Exit codes as {@code cnn4j}'s: 0 success, 1 failure while running, 2 usage error.
 */
@Command(name = "cnn4j-spark", mixinStandardHelpOptions = true, version = "cnn4j-spark 0.1.0",
        description = "cnn4j on Apache Spark.",
        subcommands = {SparkStudyCommand.class, CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler(Main.commandLine().getExecutionExceptionHandler());
        return cl;
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
