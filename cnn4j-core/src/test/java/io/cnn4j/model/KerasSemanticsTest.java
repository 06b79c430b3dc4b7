package io.cnn4j.model;

import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.losses.Loss;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.cnn4j.model.ModelTestData.randomOneHot;
import static io.cnn4j.model.ModelTestData.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Keras defaults and conventions of the model API: initializers, validation split, evaluate. */
class KerasSemanticsTest {

    @Test
    void glorotUniformLimitsAndZeroBias() {
        // Keras glorot_uniform: U(−l, l), l = √(6 / (fan_in + fan_out)); a conv kernel (kh, kw, C, F)
        // has fan_in kh·kw·C and fan_out kh·kw·F
        Sequential model = new Sequential(3);
        model.add(new Conv2D(64, 3, 3).inputShape(10, 10, 32));
        model.add(new Flatten());
        model.add(new Dense(50));
        model.build();
        float[] kernel = model.parameters().get(0).value();
        double limit = Math.sqrt(6.0 / (9 * 32 + 9 * 64));
        assertUniform(kernel, limit);
        assertThat(model.parameters().get(1).value()).containsOnly(0f);
        float[] dense = model.parameters().get(2).value();
        assertUniform(dense, Math.sqrt(6.0 / (8 * 8 * 64 + 50)));
        assertThat(model.parameters().get(3).value()).containsOnly(0f);
    }

    private static void assertUniform(float[] w, double limit) {
        double sumSq = 0, max = 0;
        for (float v : w) {
            sumSq += (double) v * v;
            max = Math.max(max, Math.abs(v));
        }
        assertThat(max).isLessThanOrEqualTo(limit).isGreaterThan(0.99 * limit);
        // variance of U(−l, l) is l²/3; the sample variance of n draws has sd ≈ l²·√(4/45n)
        double variance = sumSq / w.length, expected = limit * limit / 3;
        assertThat(variance).isCloseTo(expected, within(5 * limit * limit * Math.sqrt(4.0 / 45 / w.length)));
    }

    @Test
    void validationSplitTakesTheLastSamplesBeforeShuffling() {
        Sequential model = new Sequential(1);
        DeterminismTest.BatchRecorder recorder = new DeterminismTest.BatchRecorder();
        model.add(recorder.inputShape(2, 2, 1));
        model.add(new Flatten());
        model.add(new Dense(2, "softmax"));
        model.compile(new SGD(), "categorical_crossentropy", "accuracy");
        Tensor x = uniform(1, 10, 2, 2, 1);
        for (int i = 0; i < 10; i++) {
            x.data()[i * 4] = i / 1000f;
        }
        Tensor y = randomOneHot(1, 10, 2);
        History h = model.fit(x, y, FitOptions.defaults().batchSize(3).epochs(2).validationSplit(0.2).verbose(0));
        List<Integer> seen = new ArrayList<>();
        recorder.batches.forEach(seen::addAll);
        // Keras: the last 20% (samples 8, 9) are held out; training shuffles only samples 0..7
        assertThat(seen).hasSize(16).allMatch(i -> i < 8);
        assertThat(h.history()).containsKeys("loss", "accuracy", "val_loss", "val_accuracy");
        assertThat(h.get("val_loss").get(1)).isCloseTo(model.evaluate(x.slice(8, 2), y.slice(8, 2)).get("loss"), within(1e-9));
    }

    @Test
    void evaluateIsTheSampleWeightedMeanWithDropoutOff() {
        Sequential model = new Sequential(2);
        model.add(new Conv2D(3, 3, 3).activation("relu").inputShape(6, 6, 1));
        model.add(new Flatten());
        model.add(new Dropout(0.5));
        model.add(new Dense(4, "softmax"));
        model.compile(new SGD(), "categorical_crossentropy", "accuracy");
        Tensor x = uniform(4, 7, 6, 6, 1);
        Tensor y = randomOneHot(5, 7, 4);
        // batches of 3, 3, 1: Keras weights each batch's mean loss by its size
        Map<String, Double> score = model.evaluate(x, y, 3);
        Tensor predicted = model.predict(x);
        assertThat(score.get("loss")).isCloseTo(Loss.parse("categorical_crossentropy").compute(predicted, y), within(1e-6));
        int[] p = Utils.argmax(predicted), t = Utils.argmax(y);
        int correct = 0;
        for (int i = 0; i < 7; i++) {
            correct += p[i] == t[i] ? 1 : 0;
        }
        assertThat(score.get("accuracy")).isEqualTo(correct / 7.0);
        assertThat(model.evaluate(x, y, 3)).isEqualTo(score); // dropout is off: no randomness
    }
}
