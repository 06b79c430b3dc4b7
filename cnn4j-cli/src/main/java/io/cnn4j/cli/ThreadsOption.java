package io.cnn4j.cli;

import io.cnn4j.kernels.Backends;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --threads} for the math kernels, shared by train and bench. */
final class ThreadsOption {
    @Option(names = "--threads", description = "threads for the math kernels (default: cnn4j.threads / CNN4J_THREADS / all processors)")
    Integer threads;

    /** A usage error when --threads is given and not positive. */
    void check(CommandLine commandLine) {
        if (threads != null && threads < 1) {
            throw new CommandLine.ParameterException(commandLine, "--threads must be ≥ 1, got " + threads);
        }
    }

    /** Checks --threads, makes it the kernels' thread count (layers read cnn4j.threads when built) and returns that count. */
    int apply(CommandLine commandLine) {
        check(commandLine);
        if (threads != null) {
            System.setProperty(Backends.THREADS_PROPERTY, String.valueOf(threads));
        }
        return Backends.threads();
    }
}
