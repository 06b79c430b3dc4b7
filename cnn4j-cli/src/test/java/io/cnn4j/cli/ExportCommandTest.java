package io.cnn4j.cli;

import io.cnn4j.io.ModelFiles;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.DropBlock2D;
import io.cnn4j.layers.Flatten;
import io.cnn4j.model.Sequential;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static io.cnn4j.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

class ExportCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void trainOnce() {
        model = dir.resolve("m.cnn4j");
        CliTest.Run r = run("train", "--model", "simple-cnn", "--limit", "200", "--batch-size", "32", "--threads", "1", "--seed", "5",
                "--epochs", "1", "--standardize", "--save", model.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"m.onnx", "m.keras", "m.h5"})
    void exportedModelEvaluatesAsTheOriginal(String name) {
        Path out = dir.resolve(name);
        String format = name.endsWith(".onnx") ? "onnx" : "keras";
        CliTest.Run e = run("export", "--format", format, model.toString(), out.toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).startsWith("wrote " + out);
        CliTest.Run original = run("evaluate", model.toString(), "--limit", "200");
        CliTest.Run exported = run("evaluate", out.toString(), "--limit", "200");
        assertThat(exported.code()).as(exported.err()).isZero();
        // same data set (from the recorded metadata), same preprocessing, same loss and accuracy
        assertThat(exported.out()).isEqualTo(original.out()).contains("fashion-mnist-subset test (200 images)");
        CliTest.Run s = run("summary", out.toString());
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.out()).contains("trained on: fashion-mnist-subset").contains("Total params: ");
    }

    @Test
    void anExportedModelTrainsFurther() {
        Path keras = dir.resolve("further.keras");
        assertThat(run("export", model.toString(), keras.toString()).code()).isZero();
        CliTest.Run r = run("train", "--model", keras.toString(), "--limit", "100", "--batch-size", "32", "--threads", "1",
                "--epochs", "1", "--save", dir.resolve("further.cnn4j").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Epoch 1/1").contains("test accuracy: ");
    }

    @Test
    void formatComesFromTheExtensionAndMustAgreeWithIt() {
        assertThat(run("export", model.toString(), dir.resolve("auto.onnx").toString()).code()).isZero();
        CliTest.Run mismatch = run("export", "--format", "onnx", model.toString(), dir.resolve("x.h5").toString());
        assertThat(mismatch.code()).isEqualTo(2);
        assertThat(mismatch.err()).contains("--format onnx writes .onnx files, but OUT is");
        assertThat(run("export", "--format", "tflite", model.toString(), dir.resolve("x.tflite").toString()).code()).isEqualTo(2);
        assertThat(run("export", model.toString(), dir.resolve("x.bin").toString()).code()).isEqualTo(2);
        CliTest.Run missing = run("export", dir.resolve("nope.cnn4j").toString(), dir.resolve("x.onnx").toString());
        assertThat(missing.code()).isEqualTo(1);
    }

    @Test
    void aLayerKerasDoesNotHaveIsARuntimeErrorNamingIt() throws Exception {
        Sequential m = new Sequential("db", 1).add(new DropBlock2D(0.1, 3, 1L).name("block").inputShape(28, 28, 1))
                .add(new Flatten()).add(new Dense(10, "softmax"));
        m.build();
        Path f = dir.resolve("db.cnn4j");
        ModelFiles.save(m, f);
        CliTest.Run r = run("export", "--format", "keras", f.toString(), dir.resolve("db.keras").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("cnn4j: error: layer 'block' (DropBlock2D) has no Keras counterpart").hasLineCount(1);
        // ONNX drops it: DropBlock2D is the identity at inference
        assertThat(run("export", f.toString(), dir.resolve("db.onnx").toString()).code()).isZero();
    }
}
