package io.cnn4j.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** No copy of a named data set was found; the message lists every place we looked and how to get the data; no Keras counterpart. */
public final class DatasetNotFoundException extends IOException {
    private final transient List<Path> searched;

    public DatasetNotFoundException(String message, List<Path> searched) {
        super(message);
        this.searched = List.copyOf(searched);
    }

    public List<Path> searched() {
        return searched;
    }
}
