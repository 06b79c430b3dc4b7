package io.cnn4j.cli;

import io.cnn4j.data.NpyArray;
import io.cnn4j.data.NpyFiles;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cnn4j.cli.CliTest.quick;
import static io.cnn4j.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 through the command line: usage errors exit 2 with the option named, outputs are
 * checked before training, a checkpoint of another run is not resumed, predict refuses inputs on
 * the wrong scale or with NaN, and its CSV is safe to open in a spreadsheet.
 */
class HostileCliTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {
            "train --limit 0", "train --threads 0", "train --batch-size 0", "train --verbose 7", "train --epochs 0",
            "study --seeds 0", "study --seeds 2147483647", "study --threads 0", "study --rate 1.0", "study --variants bogus",
            "study --data synthetic:0x0x0:0", "study --epochs 0", "study --batch-size 0", "study --lr -1", "bench --batch 0",
            "summary vgg-like --input-shape 100000,100000,3"})
    void usageErrorsExitTwoNamingTheOption(String args) {
        String[] a = (args + " --out " + dir.resolve("out")).split(" ");
        if (!args.startsWith("study")) {
            a = args.split(" ");
        }
        CliTest.Run r = run(a);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        String option = args.split(" ")[1];
        String named = option.startsWith("--") ? option : "100000";
        assertThat(r.err()).contains(named.equals("--data") ? "synthetic:0x0x0:0" : named).doesNotContain("Exception").doesNotContain("/ by zero");
    }

    @Test
    void shiftLargerThanTheImagesIsAUsageError() {
        CliTest.Run r = run(quick("--epochs", "1", "--augment", "--shift", "1000"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--shift 1000").contains("28x28");
    }

    @Test
    void anUnwritableSaveLocationFailsBeforeTraining() {
        CliTest.Run r = run(quick("--epochs", "1", "--save", "/proc/no-such-dir/m.cnn4j"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--save").contains("/proc/no-such-dir/m.cnn4j");
        assertThat(r.out()).doesNotContain("Epoch 1/1").doesNotContain("test accuracy");
    }

    @Test
    void aCheckpointOfAnotherRunIsRefusedNamingTheDifferences() {
        Path cp = dir.resolve("cp");
        CliTest.Run first = run(quick("--epochs", "1", "--checkpoint-dir", cp.toString()));
        assertThat(first.code()).as(first.err()).isZero();
        CliTest.Run other = run(quick("--epochs", "2", "--lr", "0.01", "--optimizer", "sgd", "--checkpoint-dir", cp.toString()));
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("belongs to a different run").contains("--optimizer adam in the checkpoint, sgd now")
                .contains("--lr 0.001 in the checkpoint, 0.01 now");
        assertThat(other.out()).doesNotContain("resuming");
        String[] otherSeed = quick("--epochs", "2", "--checkpoint-dir", cp.toString());
        otherSeed[java.util.Arrays.asList(otherSeed).indexOf("--seed") + 1] = "4";
        CliTest.Run seed = run(otherSeed);
        assertThat(seed.code()).isEqualTo(2);
        assertThat(seed.err()).contains("--seed 3 in the checkpoint, 4 now");
        CliTest.Run same = run(quick("--epochs", "2", "--checkpoint-dir", cp.toString()));
        assertThat(same.code()).as(same.err()).isZero();
        assertThat(same.out()).contains("resuming from");
    }

    @Test
    void aCheckpointOfAnEditedModelFileIsRefused() throws Exception {
        Path json = dir.resolve("m.json");
        String arch = io.cnn4j.io.ModelJson.toJson(io.cnn4j.model.Architectures.create("simple-cnn", new int[]{28, 28, 1}, 10, 3));
        Files.writeString(json, arch);
        Path cp = dir.resolve("cp2");
        String[] base = {"train", "--model", json.toString(), "--limit", "100", "--threads", "1", "--seed", "3", "--checkpoint-dir", cp.toString()};
        CliTest.Run first = run(concat(base, "--epochs", "1"));
        assertThat(first.code()).as(first.err()).isZero();
        Files.writeString(json, arch + "\n"); // same path, other content
        CliTest.Run edited = run(concat(base, "--epochs", "2"));
        assertThat(edited.code()).isEqualTo(2);
        assertThat(edited.err()).contains("--model sha256:");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void predictRefusesInputsOnAnotherScaleOrWithNaN() throws Exception {
        Path model = dir.resolve("m.cnn4j");
        CliTest.Run trained = run(quick("--epochs", "1", "--save", model.toString()));
        assertThat(trained.code()).as(trained.err()).isZero();
        float[] px = new float[3 * 28 * 28];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i * 13) % 256; // 0-255 floats for a model trained on pixels / 255
        }
        Path in = dir.resolve("x255.npy");
        NpyFiles.write(in, NpyArray.ofFloats(px, 3, 28, 28));
        CliTest.Run r = run("predict", model.toString(), in.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(in.toString()).contains("trained on inputs in").contains("divide them by 255");
        for (int i = 0; i < px.length; i++) {
            px[i] /= 255f;
        }
        px[100] = Float.NaN;
        Path nan = dir.resolve("nan.npy");
        NpyFiles.write(nan, NpyArray.ofFloats(px, 3, 28, 28));
        CliTest.Run n = run("predict", model.toString(), nan.toString());
        assertThat(n.code()).isEqualTo(1);
        assertThat(n.err()).contains(nan.toString()).contains("NaN");
        px[100] = 0.5f;
        Path ok = dir.resolve("ok.npy");
        NpyFiles.write(ok, NpyArray.ofFloats(px, 3, 28, 28));
        assertThat(run("predict", model.toString(), ok.toString()).code()).isZero();
    }

    @Test
    void csvFieldsAreQuotedAndFormulasNeutralised() {
        Tensor p = new Tensor(new float[]{0.25f, 0.75f, 0.5f, 0.5f}, 2, 2);
        String csv = PredictCommand.csv(p, List.of("=HYPERLINK(\"http://x\",\"y\")", "two\nlines, and \"quotes\""));
        String header = csv.substring(0, csv.indexOf("\n0."));
        assertThat(header).isEqualTo("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"two\nlines, and \"\"quotes\"\"\"");
        for (String s : List.of("+1", "-1", "@SUM(A1)", "\tx")) {
            assertThat(PredictCommand.csvField(s)).startsWith("\"'");
        }
        assertThat(PredictCommand.csvField("Ankle boot")).isEqualTo("Ankle boot");
    }
}
