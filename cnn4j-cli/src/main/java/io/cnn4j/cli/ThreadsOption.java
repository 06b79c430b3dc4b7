package io.cnn4j.cli;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.ConvAlgorithm;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --threads} and {@code --conv} for the math kernels, shared by the commands that build models. */
final class ThreadsOption {
    @Option(names = "--threads", description = "threads for the math kernels (default: cnn4j.threads / CNN4J_THREADS / all processors)")
    Integer threads;

    @Option(names = "--conv", description = "how convolutions compute: auto, im2col, winograd (3x3 stride 1) or direct "
            + "(im2col read in place, vector backend) "
            + "(default: cnn4j.conv / CNN4J_CONV / auto)")
    String conv;

    /** A usage error when --threads is given and not positive, or --conv names no algorithm. */
    void check(CommandLine commandLine) {
        if (threads != null && threads < 1) {
            throw new CommandLine.ParameterException(commandLine, "--threads must be ≥ 1, got " + threads);
        }
        if (conv != null) {
            try {
                ConvAlgorithm.parse(conv);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(commandLine, "--conv: " + e.getMessage());
            }
        }
    }

    /**
     * Checks the options and makes them the kernels' settings (layers read cnn4j.threads and
     * cnn4j.conv when they are built); returns the thread count.
     */
    int apply(CommandLine commandLine) {
        check(commandLine);
        if (threads != null) {
            System.setProperty(Backends.THREADS_PROPERTY, String.valueOf(threads));
        }
        if (conv != null) {
            System.setProperty(ConvAlgorithm.PROPERTY, ConvAlgorithm.parse(conv).lower());
        }
        return Backends.threads();
    }
}
