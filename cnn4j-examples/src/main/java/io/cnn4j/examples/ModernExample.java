package io.cnn4j.examples;

import io.cnn4j.data.DataSplits;
import io.cnn4j.data.Datasets;
import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.GlobalAveragePooling2D;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.ReLU;
import io.cnn4j.model.EarlyStopping;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.History;
import io.cnn4j.model.ReduceLROnPlateau;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import io.cnn4j.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A Conv-BN-ReLU network as a Keras user writes one today: batch normalization after every
 * convolution, global average pooling instead of Flatten, dropout before the classifier, Adam,
 * and training driven by EarlyStopping and ReduceLROnPlateau; trained on the embedded Fashion-MNIST
 * subset (10,000 training, 2,000 test images). Each Java statement carries the Keras line it ports
 * (the whole Keras program is in the README).
 */
public final class ModernExample {
    private ModernExample() {
    }

    /** The model, uncompiled: Conv(16)-BN-ReLU ×2, max pool, Conv(32)-BN-ReLU ×2, global average pool, Dropout(0.3), Dense(10). */
    public static Sequential model(long seed) {
        // model = keras.Sequential([
        Sequential model = new Sequential(seed);
        //     keras.Input(shape=(28, 28, 1)),
        //     layers.Conv2D(16, 3, padding="same", use_bias=False),
        model.add(new Conv2D(16, 3, 3).padding("same").useBias(false).inputShape(28, 28, 1));
        //     layers.BatchNormalization(),
        model.add(new BatchNormalization());
        //     layers.ReLU(),
        model.add(new ReLU());
        //     layers.Conv2D(16, 3, padding="same", use_bias=False),
        model.add(new Conv2D(16, 3, 3).padding("same").useBias(false));
        //     layers.BatchNormalization(),
        model.add(new BatchNormalization());
        //     layers.ReLU(),
        model.add(new ReLU());
        //     layers.MaxPooling2D(),
        model.add(new MaxPooling2D(2, 2));
        //     layers.Conv2D(32, 3, padding="same", use_bias=False),
        model.add(new Conv2D(32, 3, 3).padding("same").useBias(false));
        //     layers.BatchNormalization(),
        model.add(new BatchNormalization());
        //     layers.ReLU(),
        model.add(new ReLU());
        //     layers.Conv2D(32, 3, padding="same", use_bias=False),
        model.add(new Conv2D(32, 3, 3).padding("same").useBias(false));
        //     layers.BatchNormalization(),
        model.add(new BatchNormalization());
        //     layers.ReLU(),
        model.add(new ReLU());
        //     layers.GlobalAveragePooling2D(),
        model.add(new GlobalAveragePooling2D());
        //     layers.Dropout(0.3),
        model.add(new Dropout(0.3));
        //     layers.Dense(10, activation="softmax"),
        model.add(new Dense(10, "softmax"));
        // ])
        return model;
    }

    /** Runs the example; returns {test loss, test accuracy}. */
    public static double[] run(long seed, int epochs, int verbose) {
        DataSplits data;
        try {
            // (x_train, y_train), (x_test, y_test) = ...   (the embedded subset; pixels scaled to [0, 1])
            data = Datasets.embedded();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedded data set: " + e.getMessage(), e);
        }
        Tensor xTrain = data.train().x(), xTest = data.test().x();
        Tensor yTrain = labels(data.train().labels()), yTest = labels(data.test().labels());

        Sequential model = model(seed);
        // model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.compile(new Adam(1e-3), "sparse_categorical_crossentropy", "accuracy");
        if (verbose > 0) {
            model.printSummary();
        }
        // callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
        //              keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1)]
        EarlyStopping earlyStopping = new EarlyStopping("val_loss", 0, 3, "auto", null, true, 0);
        ReduceLROnPlateau reduceLr = new ReduceLROnPlateau("val_loss", 0.5, 1);
        // model.fit(x_train, y_train, batch_size=32, epochs=10, validation_split=0.1, callbacks=callbacks)
        // (batch 32: BN's moving statistics, an average with momentum 0.99, need a few hundred steps to
        // forget their initial values; with 64 the first epoch's validation runs on stale statistics)
        History history = model.fit(xTrain, yTrain, FitOptions.defaults().batchSize(32).epochs(epochs).validationSplit(0.1)
                .verbose(verbose).callbacks(reduceLr, earlyStopping));
        // score = model.evaluate(x_test, y_test)
        Map<String, Double> score = model.evaluate(xTest, yTest, 32);
        if (verbose > 0) {
            int best = earlyStopping.bestEpoch();
            if (best >= 0) {
                System.out.printf(java.util.Locale.ROOT, "%d epochs%s; best val_loss %.4f at epoch %d%n", history.epochs().size(),
                        earlyStopping.stoppedEpoch() >= 0 ? " (early stopping)" : "", earlyStopping.best(), best + 1);
            }
            System.out.printf(java.util.Locale.ROOT, "Test loss: %.4f - test accuracy: %.4f%n", score.get("loss"), score.get("accuracy"));
        }
        return new double[]{score.get("loss"), score.get("accuracy")};
    }

    public static void main(String[] args) {
        run(0, 10, 1);
    }

    private static Tensor labels(int[] labels) {
        float[] y = new float[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i];
        }
        return new Tensor(y, labels.length);
    }
}
