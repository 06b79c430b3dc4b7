package com.example.consumer;

import io.cnn4j.data.DataSplits;
import io.cnn4j.data.Dataset;
import io.cnn4j.data.Datasets;
import io.cnn4j.model.Architectures;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.SGD;

import java.util.Map;

/**
 * Trains the Keras documentation's VGG-like convnet for one epoch on the Fashion-MNIST subset that
 * ships inside cnn4j-core, using nothing but cnn4j-core's public API, and fails (exit 1) unless the
 * net learned something: test accuracy well above the 10 % of guessing.
 */
public final class TrainVggLike {
    public static void main(String[] args) throws Exception {
        DataSplits data = Datasets.embedded();
        Dataset train = data.train();
        Dataset test = data.test();

        Sequential model = Architectures.vggLike(data.inputShape(), data.classes(), 42L);
        model.compile(new SGD(0.01, 0.9, true, 1e-6), "categorical_crossentropy", "accuracy");
        model.printSummary();

        model.fit(train.x(), train.oneHot(), FitOptions.defaults().batchSize(32).epochs(1).verbose(1));
        Map<String, Double> score = model.evaluate(test.x(), test.oneHot(), 64);
        System.out.printf("test loss %.4f, test accuracy %.4f%n", score.get("loss"), score.get("accuracy"));
        if (!(score.get("accuracy") > 0.5)) {
            System.err.println("cnn4j-consumer: test accuracy " + score.get("accuracy") + " after one epoch; expected > 0.5");
            System.exit(1);
        }
    }

    private TrainVggLike() {
    }
}
