package io.cnn4j.cli;

import io.cnn4j.data.NpyArray;
import io.cnn4j.data.NpyFiles;
import io.cnn4j.io.ModelFiles;
import io.cnn4j.model.Sequential;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the cnn4j command in-process on small slices of the embedded data set. */
class CliTest {
    @TempDir
    static Path dir;
    static Path model;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static final String[] QUICK = {"--model", "simple-cnn", "--limit", "400", "--batch-size", "32", "--threads", "1", "--seed", "3"};

    static String[] quick(String... more) {
        String[] a = new String[1 + QUICK.length + more.length];
        a[0] = "train";
        System.arraycopy(QUICK, 0, a, 1, QUICK.length);
        System.arraycopy(more, 0, a, 1 + QUICK.length, more.length);
        return a;
    }

    @BeforeAll
    static void trainOnce() {
        model = dir.resolve("m.cnn4j");
        Run r = run(quick("--epochs", "1", "--standardize", "--save", model.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fashion-mnist-subset").contains("400 training, 400 test images")
                .contains("Epoch 1/1 - ").contains("test accuracy: ").contains("saved " + model);
        assertThat(model).exists();
    }

    @Test
    void evaluateReportsTheSameAccuracyAsTraining() {
        Run r = run("evaluate", model.toString(), "--limit", "400");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fashion-mnist-subset test (400 images): loss: ");
        Run t = run("evaluate", model.toString(), "--limit", "400", "--split", "train");
        assertThat(t.out()).contains("fashion-mnist-subset train (400 images)");
    }

    @Test
    void predictWritesCsvAndNpyProbabilities() throws IOException {
        // ten images as uint8 NPY, as a user would pass them from Python
        byte[] px = new byte[10 * 28 * 28];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((i * 13) % 256);
        }
        Path in = dir.resolve("x.npy");
        NpyFiles.write(in, NpyArray.ofBytes(px, 10, 28, 28));
        Path npy = dir.resolve("p.npy");
        Run r = run("predict", model.toString(), in.toString(), "--output", npy.toString());
        assertThat(r.code()).as(r.err()).isZero();
        NpyArray p = NpyFiles.read(npy);
        assertThat(p.shape()).containsExactly(10, 10);
        for (int i = 0; i < 10; i++) {
            double sum = 0;
            for (int j = 0; j < 10; j++) {
                sum += p.floats()[i * 10 + j];
            }
            assertThat(sum).isBetween(0.999, 1.001);
        }
        Path csv = dir.resolve("p.csv");
        assertThat(run("predict", model.toString(), in.toString(), "-o", csv.toString()).code()).isZero();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(11);
        assertThat(lines.get(0)).isEqualTo("T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot");
        assertThat(Double.parseDouble(lines.get(1).split(",")[0])).isCloseTo(p.floats()[0], org.assertj.core.data.Offset.offset(1e-5));
        Run bad = run("predict", model.toString(), in.toString(), "-o", dir.resolve("p.txt").toString());
        assertThat(bad.code()).isEqualTo(2);
    }

    @Test
    void summaryOfBuiltInJsonAndSavedModels() throws IOException {
        Run r = run("summary", "vgg-like", "--input-shape", "28,28,1");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Total params: ").contains("(None, 10)");
        Run s = run("summary", model.toString());
        assertThat(s.out()).contains("trained on: fashion-mnist-subset").contains("Optimizer: Adam");
        Path json = dir.resolve("arch.json");
        Files.writeString(json, io.cnn4j.io.ModelJson.toJson(ModelFiles.load(model)));
        assertThat(run("summary", json.toString()).out()).isEqualTo(run("summary", model.toString()).out()
                .replaceAll("(?m)^(trained on|Optimizer).*\\R", ""));
    }

    @Test
    void resumedTrainingEqualsUninterrupted() throws IOException {
        Path straight = dir.resolve("straight.cnn4j");
        assertThat(run(quick("--epochs", "2", "--augment", "--save", straight.toString())).code()).isZero();
        Path cp = dir.resolve("cp");
        Run first = run(quick("--epochs", "1", "--augment", "--checkpoint-dir", cp.toString()));
        assertThat(first.code()).as(first.err()).isZero();
        Path resumed = dir.resolve("resumed.cnn4j");
        Run second = run(quick("--epochs", "2", "--augment", "--checkpoint-dir", cp.toString(), "--save", resumed.toString()));
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).contains("resuming from").contains("after epoch 1").contains("Epoch 2/2").doesNotContain("Epoch 1/2");
        Sequential a = ModelFiles.load(straight), b = ModelFiles.load(resumed);
        for (int i = 0; i < a.parameters().size(); i++) {
            assertThat(b.parameters().get(i).value()).isEqualTo(a.parameters().get(i).value());
        }
        Run done = run(quick("--epochs", "2", "--augment", "--checkpoint-dir", cp.toString()));
        assertThat(done.out()).contains("nothing to train");
    }

    @Test
    void exitCodesForUsageAndRuntimeErrors() throws IOException {
        assertThat(run("train", "--bogus").code()).isEqualTo(2);
        assertThat(run("train", "--epochs", "0").code()).isEqualTo(2);
        assertThat(run("train", "--epochs", "many").code()).isEqualTo(2);
        Run ds = run("train", "--dataset", "imagenet");
        assertThat(ds.code()).isEqualTo(2);
        assertThat(ds.err()).contains("unknown data set 'imagenet'");
        assertThat(run("train", "--optimizer", "rmsprop").code()).isEqualTo(2);
        Run missing = run("train", "--dataset", "cifar10", "--data-dir", dir.resolve("nothing").toString(), "--model", "simple-cnn");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("data set 'cifar10' not found").contains(dir.resolve("nothing").toString()).contains("--download");
        Run noFile = run("evaluate", dir.resolve("none.cnn4j").toString());
        assertThat(noFile.code()).isEqualTo(1);
        assertThat(noFile.err()).contains("none.cnn4j");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 4;
        Path tampered = Files.write(dir.resolve("tampered.cnn4j"), bytes);
        Run t = run("evaluate", tampered.toString());
        assertThat(t.code()).isEqualTo(1);
        assertThat(t.err()).contains("tampered.cnn4j").contains("checksum mismatch");
        for (String c : new String[]{"train", "evaluate", "predict", "summary", "example"}) {
            Run h = run(c, "--help");
            assertThat(h.code()).isZero();
            assertThat(h.out()).contains("Usage: cnn4j " + c);
        }
        assertThat(run("--help").out()).contains("Exit codes:").contains("2   usage error");
    }

    @Test
    void trainsAnArchitectureJsonFileAndStopsWithExitOneOnNaNLoss() throws IOException {
        Path json = dir.resolve("simple.json");
        Sequential arch = io.cnn4j.model.Architectures.simpleCnn(new int[]{28, 28, 1}, 10, 5);
        arch.build();
        Files.writeString(json, io.cnn4j.io.ModelJson.toJson(arch));
        Run r = run("train", "--model", json.toString(), "--limit", "100", "--epochs", "1", "--threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("56,714 parameters").contains("seed 5");
        Path wrong = dir.resolve("wrong.json");
        Sequential small = io.cnn4j.model.Architectures.simpleCnn(new int[]{32, 32, 3}, 10, 5);
        small.build();
        Files.writeString(wrong, io.cnn4j.io.ModelJson.toJson(small));
        Run w = run("train", "--model", wrong.toString(), "--limit", "100", "--epochs", "1");
        assertThat(w.code()).isEqualTo(1);
        assertThat(w.err()).contains("wrong.json").contains("expects inputs (None, 32, 32, 3)");
        Run nan = run("train", "--model", "simple-cnn", "--optimizer", "sgd", "--lr", "1e10", "--limit", "300", "--epochs", "2", "--threads", "1");
        assertThat(nan.code()).isEqualTo(1);
        assertThat(nan.err()).contains("loss is NaN").contains("Lower the learning rate");
    }

    @Test
    void dataDirWithIdxFilesIsFoundWithoutNamingTheDataSet() throws IOException {
        Path d = dir.resolve("idx");
        Files.createDirectories(d);
        for (String prefix : List.of("train", "t10k")) {
            byte[] img = new byte[20 * 28 * 28];
            byte[] lab = new byte[20];
            for (int i = 0; i < 20; i++) {
                lab[i] = (byte) (i % 10);
                img[i * 784 + i] = (byte) 200;
            }
            try (var o = Files.newOutputStream(d.resolve(prefix + "-images-idx3-ubyte"))) {
                io.cnn4j.data.IdxFiles.write(o, new io.cnn4j.data.UByteArray(new int[]{20, 28, 28}, img), false);
            }
            try (var o = Files.newOutputStream(d.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
                io.cnn4j.data.IdxFiles.write(o, new io.cnn4j.data.UByteArray(new int[]{20}, lab), true);
            }
        }
        Run r = run("evaluate", model.toString(), "--data-dir", d.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fashion-mnist test (20 images)");
    }

    @Test
    void trainTakesKerasCallbacks() throws IOException {
        Path csv = dir.resolve("log.csv"), best = dir.resolve("best.cnn4j");
        Run r = run(quick("--epochs", "3", "--validation-split", "0.25", "--early-stopping-patience", "1", "--restore-best-weights",
                "--reduce-lr-on-plateau", "--reduce-lr-patience", "1", "--reduce-lr-factor", "0.5", "--lr-step-decay", "0.5,2",
                "--csv-log", csv.toString(), "--save-best", best.toString(), "--terminate-on-nan", "--verbose", "0"));
        assertThat(r.code()).as(r.err()).isZero();
        java.util.List<String> lines = java.nio.file.Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("epoch,accuracy,loss,val_accuracy,val_loss");
        assertThat(lines.size()).isBetween(3, 4);
        assertThat(best).exists();
        assertThat(run(quick("--epochs", "2", "--monitor", "val_loss", "--early-stopping-patience", "1")).err())
                .contains("needs validation data");
        assertThat(run(quick("--epochs", "2", "--restore-best-weights")).code()).isEqualTo(2);
        assertThat(run(quick("--epochs", "2", "--lr-step-decay", "0.5")).err()).contains("--lr-step-decay must be FACTOR,EPOCHS");
        assertThat(run(quick("--epochs", "2", "--monitor", "f1", "--save-best", best.toString())).code()).isEqualTo(2);
    }

    @Test
    void modernExampleBuildsItsConvBnReluModel() {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        System.setOut(new java.io.PrintStream(buf, true));
        int code;
        try {
            // no epochs: the model, its summary and an evaluation of the untrained net on the embedded test set
            code = run("example", "modern", "--epochs", "0").code();
        } finally {
            System.setOut(saved);
        }
        assertThat(code).isZero();
        assertThat(buf.toString()).contains("batch_normalization (BatchNormalization)").contains("global_average_pooling2d")
                .contains("Total params: 16,986").contains("Non-trainable params: 192").contains("Test loss: ");
        assertThat(run("example", "postmodern").code()).isEqualTo(2);
    }

    /** A stray '%' in a description makes picocli warn on stderr and print the raw text; every help page must format. */
    @Test
    void everyHelpPageFormatsWithoutPicocliWarnings() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        List<String> pages = new java.util.ArrayList<>();
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(List.of(Main.commandLine()));
            while (!todo.isEmpty()) {
                CommandLine c = todo.pop();
                pages.add(c.getUsageMessage());
                todo.addAll(c.getSubcommands().values());
            }
        } finally {
            System.setErr(saved);
        }
        assertThat(pages).hasSizeGreaterThan(5).allSatisfy(p -> assertThat(p).contains("Usage: "));
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    }
}
