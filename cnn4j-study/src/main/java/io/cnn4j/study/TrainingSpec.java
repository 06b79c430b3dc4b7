package io.cnn4j.study;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.cnn4j.optim.Adam;
import io.cnn4j.optim.Optimizer;
import io.cnn4j.optim.SGD;

import java.util.List;
import java.util.Locale;

/**
 * How every trial trains: categorical cross-entropy, {@code epochs} epochs of {@code batchSize},
 * with one of two named optimizers:
 * <ul>
 *   <li>{@code adam}: Keras' {@code Adam(learning_rate)} with its other defaults;</li>
 *   <li>{@code sgd}: the seed project's SGD, Keras {@code SGD(learning_rate=0.01, momentum=0.9,
 *       nesterov=True, decay=1e-6)} (the learning rate can be overridden).</li>
 * </ul>
 * Model selection follows Keras {@code EarlyStopping(monitor="val_loss", patience=patience,
 * restore_best_weights=True)}: the best epoch is the one with the lowest validation loss; with a
 * patience, training stops after that many epochs without a lower validation loss; without one
 * (null) every trial trains all epochs, so that the learning curves show the whole run.
 *
 * @param optimizerName "adam" or "sgd" (null reads as "adam", the setting of results written before the option existed)
 * @param patience   epochs without improvement before stopping; null = never stop early
 */
public record TrainingSpec(int epochs, int batchSize, double learningRate, String optimizerName, Integer patience) {
    public static final List<String> OPTIMIZERS = List.of("adam", "sgd");
    /** The seed project's SGD settings (Keras keywords): momentum, Nesterov, time-based decay per batch. */
    public static final double SGD_LEARNING_RATE = 0.01, SGD_MOMENTUM = 0.9, SGD_DECAY = 1e-6;
    public static final double ADAM_LEARNING_RATE = 0.001;

    public TrainingSpec {
        io.cnn4j.model.InvalidSettingException.positive("--epochs", epochs);
        io.cnn4j.model.InvalidSettingException.positive("--batch-size", batchSize);
        io.cnn4j.model.InvalidSettingException.positiveFinite("--lr", learningRate);
        optimizerName = optimizerName == null ? "adam" : optimizerName.toLowerCase(Locale.ROOT);
        io.cnn4j.model.InvalidSettingException.oneOf("--optimizer", optimizerName, OPTIMIZERS);
        if (patience != null) {
            io.cnn4j.model.InvalidSettingException.positive("--patience", patience);
        }
    }

    /** Adam with this learning rate, every epoch trained (the settings before optimizer and patience were options). */
    public TrainingSpec(int epochs, int batchSize, double learningRate) {
        this(epochs, batchSize, learningRate, "adam", null);
    }

    /** The default learning rate of a named optimizer: Adam 0.001, the seed's SGD 0.01. */
    public static double defaultLearningRate(String optimizer) {
        return "sgd".equalsIgnoreCase(optimizer) ? SGD_LEARNING_RATE : ADAM_LEARNING_RATE;
    }

    public Optimizer createOptimizer() {
        return optimizerName.equals("sgd") ? new SGD(learningRate, SGD_MOMENTUM, true, SGD_DECAY) : new Adam(learningRate);
    }

    /** Same as {@link #createOptimizer()}; kept for callers written before the optimizer became an option. */
    @JsonIgnore
    public Optimizer optimizer() {
        return createOptimizer();
    }
}
