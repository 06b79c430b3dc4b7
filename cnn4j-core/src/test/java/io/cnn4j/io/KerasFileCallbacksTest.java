package io.cnn4j.io;

import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Dense;
import io.cnn4j.model.Callback;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.History;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** CSVLogger and ModelCheckpoint(save_best_only) on a tiny model with scripted val_loss. */
class KerasFileCallbacksTest {
    @TempDir
    Path dir;

    static Sequential tinyModel() {
        Sequential m = new Sequential(5);
        m.add(new Dense(3).inputShape(4));
        m.add(new BatchNormalization());
        m.add(new Dense(2, "softmax"));
        m.compile(new SGD(0.1), "categorical_crossentropy", "accuracy");
        return m;
    }

    static Tensor data(long seed, int n, boolean oneHot) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = oneHot ? Tensor.zeros(n, 2) : Tensor.zeros(n, 4);
        for (int i = 0; i < n; i++) {
            if (oneHot) {
                t.data()[i * 2 + r.nextInt(2)] = 1;
            } else {
                for (int j = 0; j < 4; j++) {
                    t.data()[i * 4 + j] = (float) r.nextDouble();
                }
            }
        }
        return t;
    }

    /** Overwrites val_loss with a script and keeps the weights at each epoch end. */
    static final class Scripted implements Callback {
        final double[] script;
        final List<List<float[]>> weights = new ArrayList<>();
        Sequential model;

        Scripted(double... script) {
            this.script = script;
        }

        @Override
        public void onTrainBegin(Sequential model, int epochs, int stepsPerEpoch) {
            this.model = model;
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            logs.put("val_loss", script[epoch]);
            weights.add(model.getWeights());
        }
    }

    @Test
    void csvLoggerWritesKerasColumnsAndAppends() throws IOException {
        Path csv = dir.resolve("log.csv");
        Sequential m = tinyModel();
        FitOptions o = FitOptions.defaults().batchSize(4).epochs(3).verbose(0).validationData(data(3, 8, false), data(4, 8, true));
        History h = m.fit(data(1, 16, false), data(2, 16, true), o.callbacks(new CSVLogger(csv)));
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("epoch,accuracy,loss,val_accuracy,val_loss");
        String[] row = lines.get(2).split(",");
        assertThat(row[0]).isEqualTo("1");
        assertThat(Double.parseDouble(row[2])).isEqualTo(h.get("loss").get(1));
        assertThat(Double.parseDouble(row[4])).isEqualTo(h.get("val_loss").get(1));
        m.fit(data(1, 16, false), data(2, 16, true), o.epochs(5).initialEpoch(3).callbacks(new CSVLogger(csv, ";", true)));
        lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(6);
        assertThat(lines.get(4)).startsWith("3;");
        assertThat(lines.get(5)).startsWith("4;");
    }

    @Test
    void modelCheckpointSaveBestOnlyKeepsTheBestEpoch() throws IOException {
        Path best = dir.resolve("best.cnn4j");
        Scripted s = new Scripted(1.0, 0.5, 0.7, 0.4999);
        Sequential m = tinyModel();
        ModelCheckpoint cp = ModelCheckpoint.bestOnly(best, "val_loss", "auto");
        FitOptions o = FitOptions.defaults().batchSize(4).epochs(3).verbose(0);
        m.fit(data(1, 16, false), data(2, 16, true), o.callbacks(s, cp));
        assertThat(cp.bestEpoch()).isEqualTo(1);
        SavedModel saved = ModelFiles.read(best, null);
        assertThat(saved.training().orElseThrow().epochsDone()).isEqualTo(2);
        List<float[]> w = saved.model().getWeights();
        for (int i = 0; i < w.size(); i++) {
            assertThat(w.get(i)).isEqualTo(s.weights.get(1).get(i));
        }
        // {epoch:02d} in the name: one file per improvement
        Scripted s2 = new Scripted(1.0, 0.5, 0.7, 0.4);
        ModelCheckpoint perEpoch = ModelCheckpoint.bestOnly(dir.resolve("m-{epoch:02d}.cnn4j"), "val_loss", "min");
        tinyModel().fit(data(1, 16, false), data(2, 16, true), o.epochs(4).callbacks(s2, perEpoch));
        assertThat(dir.resolve("m-01.cnn4j")).exists();
        assertThat(dir.resolve("m-02.cnn4j")).exists();
        assertThat(dir.resolve("m-03.cnn4j")).doesNotExist();
        assertThat(dir.resolve("m-04.cnn4j")).exists();
        assertThat(perEpoch.file()).isEqualTo(dir.resolve("m-04.cnn4j"));
    }
}
