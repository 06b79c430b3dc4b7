package io.cnn4j.model;

import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static io.cnn4j.model.ModelTestData.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Monte Carlo dropout: predict(x, batch, mcSamples) keeps dropout on and reports mean and spread. */
class McDropoutTest {
    private static Sequential model(boolean withDropout) {
        Sequential model = new Sequential(21);
        model.add(new Conv2D(4, 3, 3).activation("relu").inputShape(8, 8, 2));
        if (withDropout) {
            model.add(new SpatialDropout2D(0.3));
        }
        model.add(new MaxPooling2D());
        model.add(new Flatten());
        if (withDropout) {
            model.add(new Dropout(0.5));
        }
        model.add(new Dense(3, "softmax"));
        model.compile(new SGD(), "categorical_crossentropy");
        return model;
    }

    @Test
    void withDropoutTheSamplesSpreadAndAreReproducible() {
        Sequential model = model(true);
        Tensor x = uniform(5, 7, 8, 8, 2);
        McPrediction mc = model.predict(x, 3, 20);
        assertThat(mc.samples()).isEqualTo(20);
        assertThat(mc.mean().shape()).containsExactly(7, 3);
        assertThat(mc.std().shape()).containsExactly(7, 3);
        for (float s : mc.std().data()) {
            assertThat(s).isPositive().isFinite();
        }
        for (int i = 0; i < 7; i++) {
            double rowSum = 0;
            for (int j = 0; j < 3; j++) {
                rowSum += mc.mean().get(i, j);
            }
            assertThat(rowSum).as("mean of softmax rows sums to 1").isCloseTo(1.0, within(1e-5));
        }
        McPrediction again = model.predict(x, 3, 20);
        assertThat(again.mean().data()).isEqualTo(mc.mean().data());
        assertThat(again.std().data()).isEqualTo(mc.std().data());
        // the batch size does not change the masks' effect on the mean's shape, and plain predict is untouched
        Tensor plain = model.predict(x).copy();
        model.predict(x, 7, 5);
        assertThat(model.predict(x).data()).isEqualTo(plain.data());
        // a single sample has no spread
        assertThat(model.predict(x, 3, 1).std().data()).containsOnly(0f);
    }

    @Test
    void withoutDropoutTheSpreadIsExactlyZeroAndTheMeanIsPredict() {
        Sequential model = model(false);
        Tensor x = uniform(6, 5, 8, 8, 2);
        // 100 samples: E[p²] − E[p]² in double would no longer cancel exactly
        McPrediction mc = model.predict(x, 2, 100);
        assertThat(mc.std().data()).containsOnly(0f);
        assertThat(mc.mean().data()).isEqualTo(model.predict(x).data());
    }

    @Test
    void constantSamplesHaveZeroSpreadWhereTheNaiveFormulaDoesNot() {
        // every sample is the float 0.30548599…; over 87 samples, Σp²/n − (Σp/n)² in double leaves
        // 1.4e-17 (std 3.7e-9) instead of 0. Found by searching random (p, n); Welford gives exactly 0.
        Sequential model = new Sequential(1);
        model.add(new Dense(1).kernelInitializer("zeros").inputShape(2));
        model.compile(new SGD(), "categorical_crossentropy");
        model.parameters().get(1).value()[0] = (float) 0.3054859936237335;
        McPrediction mc = model.predict(Tensor.zeros(3, 2), 2, 87);
        assertThat(mc.mean().data()).containsOnly((float) 0.3054859936237335);
        assertThat(mc.std().data()).containsOnly(0f);
    }
}
