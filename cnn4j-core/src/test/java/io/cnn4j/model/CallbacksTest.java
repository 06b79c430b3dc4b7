package io.cnn4j.model;

import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Dense;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Keras callbacks on a tiny model whose monitored values are scripted: a first callback overwrites
 * the epoch's logs with the script, so EarlyStopping and ReduceLROnPlateau decide on known numbers
 * in a real fit (real weights to snapshot and restore).
 */
class CallbacksTest {
    /** Puts script[epoch] into the logs as {@code key}, and keeps a copy of the weights and the learning rate at each epoch end. */
    static final class Scripted implements Callback {
        final String key;
        final double[] script;
        final List<List<float[]>> weights = new ArrayList<>();
        final List<Double> learningRates = new ArrayList<>();
        Sequential model;

        Scripted(String key, double... script) {
            this.key = key;
            this.script = script;
        }

        @Override
        public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
            this.model = model;
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            logs.put(key, script[epoch]);
            weights.add(model.getWeights());
            learningRates.add(model.optimizer().learningRate());
        }
    }

    static Sequential tinyModel() {
        Sequential m = new Sequential(11);
        m.add(new Dense(3).inputShape(4));
        m.add(new BatchNormalization());
        m.add(new Dense(2, "softmax"));
        m.compile(new SGD(0.1), "categorical_crossentropy", "accuracy");
        return m;
    }

    static History fit(Sequential m, int epochs, Callback... callbacks) {
        Tensor x = ModelTestData.uniform(1, 16, 4);
        Tensor y = ModelTestData.randomOneHot(2, 16, 2);
        return m.fit(x, y, FitOptions.defaults().batchSize(4).epochs(epochs).verbose(0).callbacks(callbacks));
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovement() {
        Scripted s = new Scripted("val_loss", 1.0, 0.9, 0.95, 0.94, 0.93, 0.5);
        EarlyStopping es = new EarlyStopping("val_loss", 2);
        History h = fit(tinyModel(), 6, s, es);
        // epoch 1 is the best; epochs 2 and 3 do not improve: stop at the end of epoch 3
        assertThat(h.epochs()).containsExactly(0, 1, 2, 3);
        assertThat(es.stoppedEpoch()).isEqualTo(3);
        assertThat(es.bestEpoch()).isEqualTo(1);
        assertThat(es.best()).isEqualTo(0.9);
    }

    @Test
    void minDeltaModeAndBaseline() {
        // 0.95 is better than 1.0 by less than min_delta 0.1: no improvement, patience 1 stops at epoch 1
        History h = fit(tinyModel(), 5, new Scripted("val_loss", 1.0, 0.95, 0.92, 0.9, 0.8),
                new EarlyStopping("val_loss", 0.1, 1, "auto", null, false, 0));
        assertThat(h.epochs()).containsExactly(0, 1);
        // accuracy is maximised in auto mode
        EarlyStopping acc = new EarlyStopping("val_accuracy", 1);
        h = fit(tinyModel(), 5, new Scripted("val_accuracy", 0.5, 0.6, 0.55, 0.7, 0.8), acc);
        assertThat(h.epochs()).containsExactly(0, 1, 2);
        assertThat(acc.bestEpoch()).isEqualTo(1);
        // with a baseline never beaten the wait is not reset by improvements: stops one epoch sooner
        h = fit(tinyModel(), 5, new Scripted("val_loss", 0.8, 0.85, 0.9, 0.95, 1.0), new EarlyStopping("val_loss", 0, 2, "min", 0.5, false, 0));
        assertThat(h.epochs()).containsExactly(0, 1);
        h = fit(tinyModel(), 5, new Scripted("val_loss", 0.8, 0.85, 0.9, 0.95, 1.0), new EarlyStopping("val_loss", 0, 2, "min", null, false, 0));
        assertThat(h.epochs()).containsExactly(0, 1, 2);
        // start_from_epoch: nothing is watched before it
        h = fit(tinyModel(), 5, new Scripted("val_loss", 0.1, 0.85, 0.9, 0.95, 1.0), new EarlyStopping("val_loss", 0, 1, "min", null, false, 2));
        assertThat(h.epochs()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void restoreBestWeightsRestoresTheBestEpochsWeightsBitForBit() {
        Scripted s = new Scripted("val_loss", 1.0, 0.5, 0.7, 0.8, 0.9);
        EarlyStopping es = new EarlyStopping("val_loss", 0, 2, "auto", null, true, 0);
        Sequential m = tinyModel();
        History h = fit(m, 5, s, es);
        assertThat(h.epochs()).containsExactly(0, 1, 2, 3);
        List<float[]> restored = m.getWeights();
        List<float[]> best = s.weights.get(1);
        assertThat(restored).hasSameSizeAs(best);
        for (int i = 0; i < best.size(); i++) {
            assertThat(restored.get(i)).as("weight %s", m.weights().get(i).name()).isEqualTo(best.get(i));
        }
        // the moving statistics are among them, and they did move after epoch 1
        assertThat(m.weights()).anyMatch(p -> p.name().endsWith("moving_variance"));
        assertThat(s.weights.get(3).get(4)).isNotEqualTo(best.get(4));
        // without restore the last weights stay
        Scripted s2 = new Scripted("val_loss", 1.0, 0.5, 0.7, 0.8, 0.9);
        Sequential m2 = tinyModel();
        fit(m2, 5, s2, new EarlyStopping("val_loss", 2));
        assertThat(m2.getWeights().get(0)).isEqualTo(s2.weights.get(3).get(0));
    }

    @Test
    void aMonitorThatIsNotLoggedIsAClearError() {
        assertThatThrownBy(() -> fit(tinyModel(), 2, new EarlyStopping("val_loss", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'val_loss', which is not logged")
                .hasMessageContaining("validation data");
        assertThatThrownBy(() -> new EarlyStopping("f1", 0, 1, "auto", null, false, 0)).hasMessageContaining("give mode");
        assertThatThrownBy(() -> new ReduceLROnPlateau("val_loss", 1.5, 1)).hasMessageContaining("factor");
    }

    @Test
    void reduceLrOnPlateauFollowsPatienceCooldownAndMinLr() {
        Scripted s = new Scripted("val_loss", 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Sequential m = tinyModel();
        fit(m, 9, s, new ReduceLROnPlateau("val_loss", 0.5, 2, "auto", 1e-4, 1, 0.02));
        // the learning rate each epoch trained with: reduced after epochs 2, 4 and 6 (wait 2, then a
        // cooldown epoch that counts nothing, then wait 2 again), never below min_lr 0.02
        double[] expected = {0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02};
        assertThat(s.learningRates).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(s.learningRates.get(i)).as("learning rate in epoch %d", i).isCloseTo(expected[i], within(1e-12));
        }
        assertThat(m.optimizer().learningRate()).isCloseTo(0.02, within(1e-12));
        // an improvement resets the wait
        Scripted better = new Scripted("val_loss", 1, 0.9, 0.8, 0.7);
        Sequential m2 = tinyModel();
        fit(m2, 4, better, new ReduceLROnPlateau("val_loss", 0.5, 1));
        assertThat(m2.optimizer().learningRate()).isEqualTo(0.1);
    }

    @Test
    void learningRateSchedulerSetsTheRateAtEachEpochStartAndItIsSaved() {
        Scripted s = new Scripted("x", 0, 0, 0, 0);
        Sequential m = tinyModel();
        fit(m, 4, new LearningRateScheduler((epoch, lr) -> epoch < 2 ? lr : lr / 2), s);
        assertThat(s.learningRates).containsExactly(0.1, 0.1, 0.05, 0.025);
        assertThat(m.optimizer().config().learningRate()).isEqualTo(0.025);
        Scripted steps = new Scripted("x", 0, 0, 0, 0, 0);
        fit(tinyModel(), 5, LearningRateScheduler.stepDecay(0.1, 2), steps);
        assertThat(steps.learningRates.get(4)).isCloseTo(0.001, within(1e-15));
        assertThatThrownBy(() -> fit(tinyModel(), 1, new LearningRateScheduler((e, lr) -> -1)))
                .hasMessageContaining("learning rate -1.0 for epoch 0");
    }

    @Test
    void terminateOnNaNEndsTrainingQuietlyBeforeTheBadUpdate() {
        Sequential m = tinyModel();
        Tensor x = ModelTestData.uniform(1, 16, 4);
        Tensor y = ModelTestData.randomOneHot(2, 16, 2);
        x.data()[0] = Float.NaN;
        List<float[]> before = m.getWeights();
        FitOptions options = FitOptions.defaults().batchSize(16).epochs(3).verbose(0);
        assertThatThrownBy(() -> m.fit(x, y, options)).isInstanceOf(NonFiniteLossException.class);
        TerminateOnNaN t = new TerminateOnNaN(null);
        History h = m.fit(x, y, options.callbacks(t));
        assertThat(h.epochs()).isEmpty();
        assertThat(t.terminatedEpoch()).isEqualTo(0);
        // no update was applied (the moving statistics did see the batch in the forward pass, as in Keras)
        assertThat(m.getWeights().get(0)).isEqualTo(before.get(0));
    }
}
