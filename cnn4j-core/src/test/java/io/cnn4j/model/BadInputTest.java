package io.cnn4j.model;

import io.cnn4j.layers.Activation;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.cnn4j.model.ModelTestData.randomOneHot;
import static io.cnn4j.model.ModelTestData.snapshot;
import static io.cnn4j.model.ModelTestData.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input gets a clear exception naming the layer or batch and what was expected. */
class BadInputTest {

    private static Sequential small(long seed) {
        Sequential model = new Sequential(seed);
        model.add(new Conv2D(4, 3, 3).activation("relu").inputShape(8, 8, 1));
        model.add(new MaxPooling2D());
        model.add(new Flatten());
        model.add(new Dense(2, "softmax"));
        model.compile(new SGD(0.05), "categorical_crossentropy", "accuracy");
        return model;
    }

    @Test
    void wrongInputShape() {
        Sequential model = small(1);
        Tensor x = uniform(1, 4, 8, 8, 2);
        Tensor y = randomOneHot(1, 4, 2);
        assertThatThrownBy(() -> model.fit(x, y, FitOptions.defaults().verbose(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fit").hasMessageContaining("(None, 8, 8, 1)").hasMessageContaining("(4, 8, 8, 2)");
        assertThatThrownBy(() -> model.predict(uniform(1, 4, 8, 8)))
                .hasMessageContaining("predict").hasMessageContaining("(None, 8, 8, 1)").hasMessageContaining("(4, 8, 8)");
        assertThatThrownBy(() -> model.evaluate(x, y)).hasMessageContaining("evaluate");
        // a layer called directly names itself
        assertThatThrownBy(() -> model.layers().get(0).forward(x, false))
                .hasMessageContaining("'conv2d'").hasMessageContaining("(None, 8, 8, 1)").hasMessageContaining("(4, 8, 8, 2)");
        // and a declared input shape that does not match the previous layer is caught at build
        Sequential mismatched = new Sequential(1);
        mismatched.add(new Conv2D(4, 3, 3).inputShape(8, 8, 1));
        mismatched.add(new Flatten().inputShape(5, 5, 4));
        assertThatThrownBy(mismatched::build).hasMessageContaining("flatten").hasMessageContaining("(5, 5, 4)")
                .hasMessageContaining("(6, 6, 4)");
        // Dense on an image says to flatten first
        Sequential noFlatten = new Sequential(1);
        noFlatten.add(new Dense(3).inputShape(4, 4, 1));
        assertThatThrownBy(noFlatten::build).hasMessageContaining("dense").hasMessageContaining("Flatten");
    }

    @Test
    void labelCountMismatch() {
        Sequential model = small(1);
        Tensor x = uniform(1, 10, 8, 8, 1);
        assertThatThrownBy(() -> model.fit(x, randomOneHot(1, 9, 2), FitOptions.defaults().verbose(0)))
                .hasMessageContaining("x has 10 samples but y has 9");
        // one-hot width 3 for a 2-class output
        assertThatThrownBy(() -> model.fit(x, randomOneHot(1, 10, 3), FitOptions.defaults().verbose(0)))
                .hasMessageContaining("(None, 2)").hasMessageContaining("(10, 3)");
        // integer labels for categorical_crossentropy: says what to use
        assertThatThrownBy(() -> model.evaluate(x, Tensor.zeros(10)))
                .hasMessageContaining("toCategorical");
        // validation data is checked too
        assertThatThrownBy(() -> model.fit(x, randomOneHot(1, 10, 2),
                FitOptions.defaults().verbose(0).validationData(uniform(2, 3, 8, 8, 1), randomOneHot(2, 4, 2))))
                .hasMessageContaining("validation").hasMessageContaining("3 samples but y has 4");
        // sparse labels outside the class range
        Sequential sparse = small(1);
        sparse.compile(new SGD(0.05), "sparse_categorical_crossentropy");
        assertThatThrownBy(() -> sparse.fit(x, new Tensor(new float[]{0, 1, 0, 1, 2, 0, 1, 0, 1, 0}, 10), FitOptions.defaults().verbose(0)))
                .hasMessageContaining("label 2.0 at index 4").hasMessageContaining("[0, 2)");
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, 1.0, -0.1, 1.5, Double.POSITIVE_INFINITY})
    void rateOutsideZeroOne(double rate) {
        String value = Double.toString(rate);
        assertThatThrownBy(() -> new Dropout(rate)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Dropout").hasMessageContaining("[0, 1)").hasMessageContaining(value);
        assertThatThrownBy(() -> new SpatialDropout2D(rate)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SpatialDropout2D").hasMessageContaining(value);
        assertThatThrownBy(() -> new Dropout.Config(rate, null, null)).hasMessageContaining(value);
        assertThatThrownBy(() -> new SpatialDropout2D.Config(rate, 1L)).hasMessageContaining(value);
    }

    @Test
    void unknownActivation() {
        assertThatThrownBy(() -> new Dense(3, "relux")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown activation 'relux'").hasMessageContaining("relu");
        assertThatThrownBy(() -> new Conv2D(3, 3).activation("swish")).hasMessageContaining("'swish'");
        assertThatThrownBy(() -> new Activation("Softmaxx")).hasMessageContaining("'Softmaxx'");
        // names are case-insensitive, as a convenience
        assertThat(new Activation("ReLU").config().activation().keras()).isEqualTo("relu");
    }

    @Test
    void spatialDropoutRefusesInputThatIsNotRank4() {
        Sequential model = new Sequential(1);
        model.add(new SpatialDropout2D(0.5).inputShape(8, 8));
        model.add(new Flatten());
        model.add(new Dense(2, "softmax"));
        assertThatThrownBy(() -> model.compile(new SGD(), "categorical_crossentropy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spatial_dropout2d").hasMessageContaining("rank-4").hasMessageContaining("(None, 8, 8)");
        Sequential afterFlatten = new Sequential(1);
        afterFlatten.add(new Conv2D(2, 3, 3).inputShape(6, 6, 1));
        afterFlatten.add(new Flatten());
        afterFlatten.add(new SpatialDropout2D(0.5));
        assertThatThrownBy(afterFlatten::build).hasMessageContaining("SpatialDropout2D").hasMessageContaining("(None, 32)");
        // a noise shape of the wrong rank is refused too
        assertThatThrownBy(() -> new Dropout(0.5, new int[]{-1, 1, -1}, null).build(new int[]{4, 4, 2},
                new io.cnn4j.layers.BuildContext(new java.util.SplittableRandom(1), new io.cnn4j.kernels.ScalarGemm(), 1)))
                .hasMessageContaining("noise shape").hasMessageContaining("rank");
    }

    /** Records each batch's weights after its update. */
    private static final class Snapshots implements Callback {
        final Sequential model;
        final List<List<float[]>> afterBatch = new ArrayList<>();

        Snapshots(Sequential model) {
            this.model = model;
        }

        @Override
        public void onBatchEnd(int batch, double loss, double accuracy) {
            afterBatch.add(snapshot(model));
        }
    }

    @Test
    void nanInDataStopsFitBeforeTheUpdate() {
        Sequential model = small(3);
        Tensor x = uniform(3, 16, 8, 8, 1);
        x.set(Float.NaN, 9, 4, 4, 0); // sample 9: the third batch of 4 when not shuffled
        Tensor y = randomOneHot(3, 16, 2);
        Snapshots snapshots = new Snapshots(model);
        assertThatThrownBy(() -> model.fit(x, y, FitOptions.defaults().batchSize(4).epochs(2).shuffle(false).verbose(0)
                .callbacks(snapshots)))
                .isInstanceOfSatisfying(NonFiniteLossException.class, e -> {
                    assertThat(e.epoch()).isZero();
                    assertThat(e.batch()).isEqualTo(2);
                })
                .hasMessageContaining("loss is NaN").hasMessageContaining("epoch 1, batch 3").hasMessageContaining("samples 8..11");
        assertThat(snapshots.afterBatch).hasSize(2);
        assertSameWeights(snapshot(model), snapshots.afterBatch.get(1));
    }

    @Test
    void hugeLearningRateStopsFitOnTheFirstNonFiniteLoss() {
        Sequential model = new Sequential(4);
        model.add(new Conv2D(4, 3, 3).activation("relu").inputShape(8, 8, 1));
        model.add(new Flatten());
        model.add(new Dense(2, "softmax"));
        model.compile(new SGD(1e35), "categorical_crossentropy");
        Tensor x = uniform(4, 32, 8, 8, 1);
        Tensor y = randomOneHot(4, 32, 2);
        Snapshots snapshots = new Snapshots(model);
        assertThatThrownBy(() -> model.fit(x, y, FitOptions.defaults().batchSize(4).epochs(5).verbose(0).callbacks(snapshots)))
                .isInstanceOf(NonFiniteLossException.class).hasMessageContaining("batch").hasMessageContaining("learning rate");
        assertThat(snapshots.afterBatch).isNotEmpty();
        assertSameWeights(snapshot(model), snapshots.afterBatch.get(snapshots.afterBatch.size() - 1));
        // trainOnBatch refuses in the same way, without an update
        List<float[]> before = snapshot(model);
        assertThatThrownBy(() -> model.trainOnBatch(x.slice(0, 4), y.slice(0, 4))).isInstanceOf(NonFiniteLossException.class);
        assertSameWeights(snapshot(model), before);
    }

    @Test
    void misuse() {
        Sequential notCompiled = new Sequential(1);
        notCompiled.add(new Dense(2).inputShape(3));
        assertThatThrownBy(() -> notCompiled.fit(Tensor.zeros(2, 3), Tensor.zeros(2, 2), 1, 1)).hasMessageContaining("compile");
        Sequential model = small(1);
        assertThatThrownBy(() -> model.evaluate(uniform(1, 4, 8, 8, 1), randomOneHot(1, 4, 2), 0))
                .hasMessageContaining("batch size").hasMessageContaining("0");
        assertThatThrownBy(() -> model.predict(uniform(1, 4, 8, 8, 1), -1)).hasMessageContaining("batch size");
        assertThatThrownBy(() -> model.predict(uniform(1, 4, 8, 8, 1), 2, 0)).hasMessageContaining("mcSamples");
        assertThatThrownBy(() -> model.compile(new SGD(), "categorical_crossentropy", "precision"))
                .hasMessageContaining("unknown metric 'precision'");
        assertThatThrownBy(() -> FitOptions.defaults().batchSize(0)).hasMessageContaining("batch size");
        Map<String, Double> ok = model.evaluate(uniform(1, 4, 8, 8, 1), randomOneHot(1, 4, 2), 3);
        assertThat(ok).containsKeys("loss", "accuracy");
    }

    private static void assertSameWeights(List<float[]> actual, List<float[]> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(java.util.Arrays.equals(actual.get(i), expected.get(i))).as("parameter %d unchanged", i).isTrue();
        }
    }
}
