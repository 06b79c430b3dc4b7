package io.cnn4j.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that is not what it claims to be (wrong magic number, impossible header, truncated
 * or trailing bytes, a label outside the class range); no Keras counterpart. The message names the file and the problem.
 */
public class DataFormatException extends IOException {
    private final transient Path file;

    public DataFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public DataFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that failed. */
    public Path file() {
        return file;
    }
}
