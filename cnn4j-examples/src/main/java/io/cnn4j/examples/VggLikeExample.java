package io.cnn4j.examples;

import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.Sequential;
import io.cnn4j.model.Utils;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Keras documentation's "VGG-like convnet" example, line by line. Each Java statement carries
 * the Keras line it ports. The data are random, as in the Keras example: the point is the API and
 * a run end to end, not accuracy.
 */
public final class VggLikeExample {
    private VggLikeExample() {
    }

    /** Runs the example; returns the Keras-style score (test loss). */
    public static double run(long seed, int epochs, int verbose) {
        SplittableRandom random = new SplittableRandom(seed);
        // x_train = np.random.random((100, 100, 100, 3))
        Tensor xTrain = uniform(random, 100, 100, 100, 3);
        // y_train = keras.utils.to_categorical(np.random.randint(10, size=(100, 1)), num_classes=10)
        Tensor yTrain = Utils.toCategorical(randomInts(random, 100, 10), 10);
        // x_test = np.random.random((20, 100, 100, 3))
        Tensor xTest = uniform(random, 20, 100, 100, 3);
        // y_test = keras.utils.to_categorical(np.random.randint(10, size=(20, 1)), num_classes=10)
        Tensor yTest = Utils.toCategorical(randomInts(random, 20, 10), 10);

        // model = Sequential()
        Sequential model = new Sequential(seed);
        // model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(100, 100, 3)))
        model.add(new Conv2D(32, 3, 3).activation("relu").inputShape(100, 100, 3));
        // model.add(Conv2D(32, (3, 3), activation='relu'))
        model.add(new Conv2D(32, 3, 3).activation("relu"));
        // model.add(MaxPooling2D(pool_size=(2, 2)))
        model.add(new MaxPooling2D(2, 2));
        // model.add(Dropout(0.25))
        model.add(new Dropout(0.25));
        // model.add(Conv2D(64, (3, 3), activation='relu'))
        model.add(new Conv2D(64, 3, 3).activation("relu"));
        // model.add(Conv2D(64, (3, 3), activation='relu'))
        model.add(new Conv2D(64, 3, 3).activation("relu"));
        // model.add(MaxPooling2D(pool_size=(2, 2)))
        model.add(new MaxPooling2D(2, 2));
        // model.add(Dropout(0.25))
        model.add(new Dropout(0.25));
        // model.add(Flatten())
        model.add(new Flatten());
        // model.add(Dense(256, activation='relu'))
        model.add(new Dense(256, "relu"));
        // model.add(Dropout(0.5))
        model.add(new Dropout(0.5));
        // model.add(Dense(10, activation='softmax'))
        model.add(new Dense(10, "softmax"));

        // sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
        SGD sgd = new SGD(0.01, 0.9, true, 1e-6);
        // model.compile(loss='categorical_crossentropy', optimizer=sgd)
        model.compile(sgd, "categorical_crossentropy");
        if (verbose > 0) {
            model.printSummary();
        }

        // model.fit(x_train, y_train, batch_size=32, epochs=10)
        model.fit(xTrain, yTrain, FitOptions.defaults().batchSize(32).epochs(epochs).verbose(verbose));
        // score = model.evaluate(x_test, y_test, batch_size=32)
        Map<String, Double> score = model.evaluate(xTest, yTest, 32);
        if (verbose > 0) {
            System.out.printf("Test score (loss): %.4f%n", score.get("loss"));
        }
        return score.get("loss");
    }

    public static void main(String[] args) {
        run(0, 10, 1);
    }

    private static Tensor uniform(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextDouble();
        }
        return t;
    }

    private static int[] randomInts(SplittableRandom r, int n, int bound) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(bound);
        }
        return v;
    }
}
