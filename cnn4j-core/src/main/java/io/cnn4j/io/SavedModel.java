package io.cnn4j.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.model.Sequential;

import java.util.Optional;

/**
 * What a model file holds: the model (built, with weights, compiled with its optimizer state when it
 * was saved compiled), the training state when the file is a checkpoint, and free-form metadata
 * (for example the data set and preprocessing the model expects); Keras counterpart: what
 * {@code keras.models.load_model} returns, plus the training state.
 */
public record SavedModel(Sequential model, Optional<TrainingState> training, ObjectNode metadata) {
}
