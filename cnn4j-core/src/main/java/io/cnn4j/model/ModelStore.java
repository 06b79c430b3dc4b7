package io.cnn4j.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Saving and loading models, as a service so that {@link Sequential#save} and
 * {@link Sequential#load} can live on the model without the model package depending on the file
 * format (io.cnn4j.io.ModelFiles provides it, registered in META-INF/services); no Keras counterpart.
 */
public interface ModelStore {
    void save(Sequential model, Path file) throws IOException;

    Sequential load(Path file) throws IOException;

    /** The provider on the class path (cnn4j-core ships io.cnn4j.io.ModelFiles'). */
    static ModelStore provider() {
        return ServiceLoader.load(ModelStore.class, ModelStore.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no ModelStore provider on the class path "
                        + "(META-INF/services/io.cnn4j.model.ModelStore is missing from cnn4j-core?)"));
    }
}
