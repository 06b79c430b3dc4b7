package io.cnn4j.io;

import io.cnn4j.data.ImageAugmentation;
import io.cnn4j.layers.Parameter;
import io.cnn4j.model.Callback;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.History;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelCheckpointTest {
    @TempDir
    Path dir;

    static final Tensor X = ModelFilesTest.data(36, 21);
    static final Tensor Y = ModelFilesTest.labels(36, 22);

    static FitOptions options() {
        return FitOptions.defaults().batchSize(8).epochs(4).verbose(0).validationSplit(0.25)
                .augmentation(new ImageAugmentation(true, 1));
    }

    static Sequential fresh(boolean adam) {
        Sequential m = ModelFilesTest.small(99); // ScalarGemm: one thread, deterministic
        m.compile(adam ? new Adam(0.01) : new SGD(0.05, 0.9, true, 1e-3), "categorical_crossentropy", "accuracy");
        return m;
    }

    /** Stands for a kill: throws once epoch {@code last} (0-based) is done and checkpointed. */
    static final class Crash implements Callback {
        final int last;

        Crash(int last) {
            this.last = last;
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            if (epoch == last) {
                throw new IllegalStateException("simulated crash after epoch " + (epoch + 1));
            }
        }
    }

    @Test
    void resumedRunEndsBitIdenticalToUninterruptedOne() throws IOException {
        for (boolean adam : new boolean[]{true, false}) {
            Sequential straight = fresh(adam);
            History full = straight.fit(X, Y, options());

            Path cpDir = dir.resolve(adam ? "adam" : "sgd");
            Sequential first = fresh(adam);
            assertThatThrownBy(() -> first.fit(X, Y, options().callbacks(new ModelCheckpoint(cpDir), new Crash(1))))
                    .hasMessageContaining("simulated crash after epoch 2");

            SavedModel cp = ModelCheckpoint.latest(cpDir, new io.cnn4j.kernels.ScalarGemm()).orElseThrow();
            TrainingState state = cp.training().orElseThrow();
            assertThat(state.epochsDone()).isEqualTo(2);
            Sequential resumed = cp.model();
            ModelCheckpoint again = new ModelCheckpoint(cpDir, state, null);
            resumed.fit(X, Y, options().initialEpoch(state.epochsDone()).callbacks(again));

            List<Parameter> a = straight.parameters(), b = resumed.parameters();
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).value()).as("%s (%s)", a.get(i).name(), adam ? "Adam" : "SGD").isEqualTo(a.get(i).value());
            }
            assertThat(resumed.optimizer().iterations()).isEqualTo(straight.optimizer().iterations());
            TrainingState end = ModelCheckpoint.latest(cpDir, null).orElseThrow().training().orElseThrow();
            assertThat(end.epochsDone()).isEqualTo(4);
            assertThat(end.history().get("loss")).isEqualTo(full.get("loss"));
            assertThat(end.history().get("val_accuracy")).isEqualTo(full.get("val_accuracy"));
        }
    }

    @Test
    void augmentationChangesTrainingReproducibly() {
        Sequential plain = fresh(true);
        plain.fit(X, Y, options().augmentation(null));
        Sequential aug1 = fresh(true);
        aug1.fit(X, Y, options());
        Sequential aug2 = fresh(true);
        aug2.fit(X, Y, options());
        float[] p = plain.parameters().get(0).value(), a1 = aug1.parameters().get(0).value(), a2 = aug2.parameters().get(0).value();
        assertThat(a1).isEqualTo(a2).isNotEqualTo(p);
    }

    @Test
    void noCheckpointMeansEmptyAndDamagedOneIsAnError() throws IOException {
        assertThat(ModelCheckpoint.latest(dir, null)).isEmpty();
        java.nio.file.Files.write(dir.resolve(ModelCheckpoint.FILE_NAME), new byte[100]);
        assertThatThrownBy(() -> ModelCheckpoint.latest(dir, null)).isInstanceOf(ModelFileException.class);
    }
}
