package io.cnn4j.io;

import io.cnn4j.kernels.ScalarGemm;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.DropBlock2D;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.MaxPoolingDropout2D;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The study's layers MaxPoolingDropout2D and DropBlock2D in the model file and its JSON architecture. */
class PoolingDropoutLayersModelFilesTest {
    @TempDir
    Path dir;

    /** 9×9 input: the 2×2 pooling dropout floors to 4×4, which the pre-build parameter count must follow. */
    static Sequential model(long seed) {
        Sequential m = new Sequential(seed).gemm(new ScalarGemm());
        m.add(new Conv2D(4, 3, 3).activation("relu").padding("same").inputShape(9, 9, 1));
        m.add(new MaxPoolingDropout2D(0.3, 2, 3L));
        m.add(new DropBlock2D(0.2, 3, null));
        m.add(new Flatten());
        m.add(new Dense(3, "softmax"));
        return m;
    }

    @Test
    void saveLoadGivesIdenticalPredictionsConfigsAndOptimizerState() throws IOException {
        Sequential m = model(17);
        m.compile(new SGD(0.05, 0.9, true, 0), "categorical_crossentropy", "accuracy");
        Tensor x = ModelFilesTest.uniform(1, 12, 9, 9, 1);
        Tensor y = io.cnn4j.model.Utils.toCategorical(new int[]{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, 3);
        m.fit(x, y, FitOptions.defaults().batchSize(4).epochs(1).verbose(0));
        Path f = dir.resolve("pd.cnn4j");
        ModelFiles.save(m, f);

        Sequential back = ModelFiles.read(f, new ScalarGemm()).model();
        assertThat(back.predict(x).data()).isEqualTo(m.predict(x).data());
        assertThat(back.summary()).isEqualTo(m.summary());
        for (int i = 0; i < m.layers().size(); i++) {
            Layer a = m.layers().get(i), b = back.layers().get(i);
            assertThat(b.name()).isEqualTo(a.name());
            assertThat(b.config()).isEqualTo(a.config());
        }
        assertThat(back.layers().get(1).config()).isEqualTo(new MaxPoolingDropout2D.Config(0.3, 2, 3L));
        assertThat(back.layers().get(2).config()).isEqualTo(new DropBlock2D.Config(0.2, 3, null));
        assertThat(back.optimizer().iterations()).isEqualTo(m.optimizer().iterations());
        for (int i = 0; i < m.optimizer().state(m.parameters()).size(); i++) {
            assertThat(back.optimizer().state(back.parameters()).get(i)).isEqualTo(m.optimizer().state(m.parameters()).get(i));
        }
        // resuming the loaded copy at the epoch boundary trains exactly like the original (masks are drawn per epoch from the seed)
        FitOptions second = FitOptions.defaults().batchSize(4).epochs(2).initialEpoch(1).verbose(0);
        m.fit(x, y, second);
        back.fit(x, y, second);
        for (int i = 0; i < m.parameters().size(); i++) {
            assertThat(back.parameters().get(i).value()).isEqualTo(m.parameters().get(i).value());
        }
        // writing the loaded model again gives the same bytes
        Path again = dir.resolve("again.cnn4j");
        ModelFiles.save(ModelFiles.read(f, new ScalarGemm()).model(), again);
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(f));
    }

    @Test
    void jsonRoundTripAndPreBuildParameterCount() {
        Sequential m = model(4);
        m.build();
        String json = ModelJson.toJson(m);
        assertThat(json).contains("\"class_name\" : \"MaxPoolingDropout2D\"").contains("\"pool_size\" : [ 2, 2 ]")
                .contains("\"class_name\" : \"DropBlock2D\"").contains("\"block_size\" : 3");
        Sequential back = ModelJson.fromJson(json);
        assertThat(ModelFiles.parameterCount(back)).isEqualTo(m.parameterCount());
        back.build();
        assertThat(back.summary()).isEqualTo(m.summary());
    }

    @Test
    void handWrittenShorthandsAndBadValuesAreNamed() {
        String template = """
                {"class_name": "Sequential", "config": {"layers": [
                  {"class_name": "InputLayer", "config": {"batch_shape": [null, 8, 8, 2]}},
                  %s,
                  {"class_name": "Flatten", "config": {}}
                ]}}""";
        Sequential m = ModelJson.fromJson(template.formatted("{\"class_name\": \"MaxPoolingDropout2D\", \"config\": {\"rate\": 0.5}}"));
        assertThat(m.layers().get(0).config()).isEqualTo(new MaxPoolingDropout2D.Config(0.5, 2, null));
        m = ModelJson.fromJson(template.formatted(
                "{\"class_name\": \"DropBlock2D\", \"config\": {\"rate\": 0.1, \"block_size\": [3, 3], \"seed\": 9}}"));
        assertThat(m.layers().get(0).config()).isEqualTo(new DropBlock2D.Config(0.1, 3, 9L));

        assertThatThrownBy(() -> ModelJson.fromJson(template.formatted(
                "{\"class_name\": \"MaxPoolingDropout2D\", \"config\": {\"name\": \"mpd\", \"rate\": 0.5, \"pool_size\": [2, 3]}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'mpd' (MaxPoolingDropout2D)")
                .hasMessageContaining("pool_size must be square");
        assertThatThrownBy(() -> ModelJson.fromJson(template.formatted(
                "{\"class_name\": \"MaxPoolingDropout2D\", \"config\": {\"rate\": 0.5, \"strides\": 1}}")))
                .hasMessageContaining("(MaxPoolingDropout2D): strides 1 is not supported");
        assertThatThrownBy(() -> ModelJson.fromJson(template.formatted(
                "{\"class_name\": \"MaxPoolingDropout2D\", \"config\": {\"rate\": 0.5, \"padding\": \"same\"}}")))
                .hasMessageContaining("padding \"same\" is not supported");
        assertThatThrownBy(() -> ModelJson.fromJson(template.formatted(
                "{\"class_name\": \"DropBlock2D\", \"config\": {\"rate\": 0.1}}")))
                .hasMessageContaining("(DropBlock2D): 'block_size'");
        assertThatThrownBy(() -> ModelJson.fromJson(template.formatted(
                "{\"class_name\": \"DropBlock2D\", \"config\": {\"rate\": 1.5, \"block_size\": 3}}")))
                .hasMessageContaining("(DropBlock2D)").hasMessageContaining("1.5");
    }
}
