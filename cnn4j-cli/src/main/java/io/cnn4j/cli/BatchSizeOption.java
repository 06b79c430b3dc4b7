package io.cnn4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --batch-size}, shared by train, evaluate and predict; each command passes its own default. */
final class BatchSizeOption {
    @Option(names = "--batch-size", description = "batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    BatchSizeOption(int defaultBatchSize) {
        this.batchSize = defaultBatchSize;
    }

    /** The batch size, or a usage error when it is not positive. */
    int get(CommandLine commandLine) {
        if (batchSize < 1) {
            throw new CommandLine.ParameterException(commandLine, "--batch-size must be ≥ 1, got " + batchSize);
        }
        return batchSize;
    }
}
