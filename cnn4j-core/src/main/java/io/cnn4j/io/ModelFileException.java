package io.cnn4j.io;

import java.io.IOException;
import java.nio.file.Path;

/** A model or checkpoint file that cannot be used; the message names the file and the problem; no Keras counterpart. */
public class ModelFileException extends IOException {
    private final transient Path file;

    public ModelFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
