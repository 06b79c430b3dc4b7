package io.cnn4j.io;

import io.cnn4j.model.ModelStore;
import io.cnn4j.model.Sequential;

import java.io.IOException;
import java.nio.file.Path;

/** The {@link ModelStore} service behind {@code Sequential.save/load}: {@link ModelFiles}; Keras counterpart: the saving code behind {@code model.save} and {@code keras.models.load_model}. */
public final class ModelFilesStore implements ModelStore {
    @Override
    public void save(Sequential model, Path file) throws IOException {
        ModelFiles.save(model, file);
    }

    @Override
    public Sequential load(Path file) throws IOException {
        return ModelFiles.load(file);
    }
}
