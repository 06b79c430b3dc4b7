package io.cnn4j.hostile;

import io.cnn4j.io.ModelFileException;
import io.cnn4j.io.ModelFiles;
import io.cnn4j.io.ModelJson;
import io.cnn4j.io.StrictJson;
import io.cnn4j.kernels.ScalarGemm;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Flatten;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 15, classes 5 and 6 in the core readers: JSON is read strictly (trailing content, duplicate
 * keys, wrong types) with the file named; model files with NaN weights and inputs with NaN values
 * are refused instead of giving NaN predictions; size errors use the right words.
 */
class ReadersSayWhatAndWhereTest {
    @TempDir
    Path dir;

    static final String SMALL = """
            {"class_name": "Sequential", "config": {"name": "small", "layers": [
             {"class_name": "InputLayer", "config": {"batch_shape": [null, 6, 6, 1]}},
             {"class_name": "Flatten", "config": {}},
             {"class_name": "Dense", "config": {"units": 3, "activation": "softmax"}}]}}
            """;

    @Test
    void modelJsonWithTrailingGarbageOrDuplicateKeysIsRefusedNamingTheFile() throws Exception {
        Path ok = dir.resolve("ok.json");
        Files.writeString(ok, SMALL);
        assertThat(ModelJson.read(ok, 0).layers()).hasSize(2);
        Path trailing = dir.resolve("trailing.json");
        Files.writeString(trailing, SMALL + " {\"x\": 1}");
        assertThatThrownBy(() -> ModelJson.read(trailing, 0)).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(trailing.toString()).hasMessageContaining("line");
        Path dup = dir.resolve("dup.json");
        Files.writeString(dup, SMALL.replace("\"units\": 3", "\"units\": 3, \"units\": 4"));
        assertThatThrownBy(() -> ModelJson.read(dup, 0)).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(dup.toString()).hasMessageContaining("duplicate key").hasMessageContaining("units");
        Path latin1 = dir.resolve("latin1.json");
        Files.write(latin1, SMALL.replace("small", "sm\u00e4ll").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ModelJson.read(latin1, 0)).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(latin1.toString()).hasMessageContaining("not UTF-8");
    }

    @Test
    void strictFieldsRefuseWrongTypesAndOutOfRangeNumbers() {
        assertThatThrownBy(() -> StrictJson.integer(StrictJson.parse("1e12", "x"), "f.json \"seeds\"", 1, 10_000))
                .hasMessage("f.json \"seeds\" must be between 1 and 10000, got 1.0E12");
        assertThatThrownBy(() -> StrictJson.integer(StrictJson.parse("2.5", "x"), "f.json \"seeds\"", 1, 10))
                .hasMessageContaining("must be an integer, got 2.5");
        assertThat(StrictJson.integer(StrictJson.parse("3.0", "x"), "s", 1, 10)).isEqualTo(3);
        assertThatThrownBy(() -> StrictJson.number(StrictJson.parse("\"abc\"", "x"), "f.json \"rate\""))
                .hasMessage("f.json \"rate\" must be a number, got \"abc\"");
        assertThatThrownBy(() -> StrictJson.parse("{\"a\": 1} x", "f.json")).hasMessageStartingWith("f.json: not valid JSON");
        assertThatThrownBy(() -> StrictJson.parse("{\"a\": NaN}", "f.json")).hasMessageStartingWith("f.json: not valid JSON");
    }

    private static Sequential trained() {
        Sequential m = new Sequential(2).gemm(new ScalarGemm());
        m.add(new Conv2D(2, 3, 3).inputShape(6, 6, 1));
        m.add(new Flatten());
        m.add(new Dense(3, "softmax"));
        m.compile(new Adam(), "categorical_crossentropy", "accuracy");
        return m;
    }

    @Test
    void nonFiniteWeightsAreRefusedAtLoadNamingTheWeight() {
        Sequential m = trained();
        m.parameters().get(0).value()[5] = Float.NaN;
        byte[] bytes = ModelFiles.encode(m, null, null);
        Path f = Path.of("nan.cnn4j");
        assertThatThrownBy(() -> ModelFiles.decode(bytes, f, new ScalarGemm())).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith("nan.cnn4j: weight 'conv2d/kernel' holds NaN at index 5");
    }

    @Test
    void nonFiniteInputsAreRefusedByPredictAndEvaluate() {
        Sequential m = trained();
        Tensor x = Tensor.zeros(4, 6, 6, 1);
        x.data()[2 * 36 + 7] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> m.predict(x)).hasMessageContaining("predict: input sample 2 holds Infinity");
        Tensor y = Tensor.zeros(4, 3);
        for (int i = 0; i < 4; i++) {
            y.data()[i * 3] = 1;
        }
        assertThatThrownBy(() -> m.evaluate(x, y)).hasMessageContaining("evaluate: input sample 2");
    }

    @Test
    void aDataLengthThatIsNotAMultipleOfFourSaysSo() {
        byte[] bytes = ModelFiles.encode(trained(), null, null);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(16, b.getLong(16) - 2);
        assertThatThrownBy(() -> ModelFiles.decode(bytes, Path.of("odd.cnn4j"), null))
                .hasMessage("odd.cnn4j: the data length " + b.getLong(16) + " is not a multiple of 4 (the data are float32 values)");
    }
}
