package io.cnn4j.fuzz;

import io.cnn4j.data.DataFormatException;
import io.cnn4j.data.IdxFiles;
import io.cnn4j.data.NpyArray;
import io.cnn4j.data.NpyFiles;
import io.cnn4j.data.UByteArray;
import io.cnn4j.io.ModelFileException;
import io.cnn4j.io.ModelFiles;
import io.cnn4j.io.ModelFuzzHooks;
import io.cnn4j.kernels.ScalarGemm;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import io.cnn4j.data.Cifar10Files;
import io.cnn4j.io.ModelJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15's fuzz tests for the core readers (IDX and gzip IDX, NPY, CIFAR-10, model file, model
 * JSON): 100,000 mutated inputs each (seeded, so a failure names its seed and reproduces), checked
 * by {@link FuzzHarness}: only the reader's documented exception, the file named in every message,
 * and allocation bounded by the input's length — never OutOfMemoryError, NegativeArraySizeException,
 * IndexOutOfBoundsException, a NullPointerException or a bare number. The study file and results
 * file readers have theirs in cnn4j-study (StudyReaderFuzzTest).
 */
class ReaderFuzzTest {
    static final byte[] IDX_RAW;
    static final byte[] IDX_GZ;
    static final byte[] NPY;
    static final byte[] MODEL;

    static {
        try {
            byte[] px = new byte[5 * 6 * 7];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) (i * 31);
            }
            UByteArray a = new UByteArray(new int[]{5, 6, 7}, px);
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            IdxFiles.write(raw, a, false);
            IDX_RAW = raw.toByteArray();
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            IdxFiles.write(gz, a, true);
            IDX_GZ = gz.toByteArray();
            ByteArrayOutputStream npy = new ByteArrayOutputStream();
            float[] f = new float[2 * 3 * 4];
            Arrays.fill(f, 0.5f);
            NpyFiles.write(npy, NpyArray.ofFloats(f, 2, 3, 4));
            NPY = npy.toByteArray();
            Sequential m = new Sequential(4).gemm(new ScalarGemm());
            m.add(new Conv2D(2, 3, 3).activation("relu").inputShape(6, 6, 1));
            m.add(new MaxPooling2D(2, 2));
            m.add(new Dropout(0.5));
            m.add(new Flatten());
            m.add(new Dense(3, "softmax"));
            m.compile(new Adam(), "categorical_crossentropy", "accuracy");
            m.optimizer().state(m.parameters());
            MODEL = ModelFiles.encode(m, null, null);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 100,000 per reader (issue 15); -Dcnn4j.fuzz.tries=N runs fewer or more. */
    static final int TRIES = Integer.getInteger("cnn4j.fuzz.tries", 100_000);
    /** Fixed allowance for a parsed model: its weights are bounded by the file, its workspaces by small per-layer budgets. */
    static final long MODEL_FIXED = 64L << 20;

    @TempDir
    static Path dir;

    /** One line per reader, so a CI log shows what the fuzzer reached (accepted inputs and each refusal type). */
    private static void report(String reader, Map<String, Integer> outcomes) {
        System.out.println("fuzz " + reader + ": " + outcomes);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(TRIES);
        // the mutator must reach both sides: some inputs still read, many are refused
        assertThat(outcomes.keySet()).hasSizeGreaterThan(1);
    }

    @Test
    void idxAndGzipReaderRefusesMutatedFilesCleanlyWithinBounds() throws IOException {
        for (boolean gz : new boolean[]{false, true}) {
            byte[] valid = gz ? IDX_GZ : IDX_RAW;
            Map<String, Integer> o = FuzzHarness.run(valid, FuzzHarness.bytes(gz ? 30 : 16),
                    (f, b) -> IdxFiles.read(new ByteArrayInputStream(b), f), Path.of("fuzz-input" + (gz ? ".gz" : ".idx")), false, TRIES / 2,
                    List.of(DataFormatException.class), 16, 2L << 20);
            System.out.println("fuzz idx" + (gz ? ".gz" : "") + ": " + o);
            assertThat(o.keySet()).hasSizeGreaterThan(1);
        }
    }

    @Test
    void npyReaderRefusesMutatedFilesCleanlyWithinBounds() throws IOException {
        // through an in-memory channel: the same code as for a file, without 100,000 disk writes
        report("npy", FuzzHarness.run(NPY, FuzzHarness.bytes(128), (file, b) -> NpyFiles.read(new MemoryChannel(b), file),
                Path.of("fuzz-input.npy"), false, TRIES,
                List.of(DataFormatException.class), 16, 1L << 20));
    }

    @Test
    void cifarReaderRefusesMutatedFilesCleanlyWithinBounds() throws IOException {
        // two records: the mutator truncates, extends and rewrites labels and pixels; read from memory, not 100,000 files
        byte[] valid = new byte[2 * Cifar10Files.RECORD];
        for (int i = 0; i < valid.length; i++) {
            valid[i] = (byte) (i % Cifar10Files.RECORD == 0 ? i / Cifar10Files.RECORD : i * 7);
        }
        report("cifar", FuzzHarness.run(valid, FuzzHarness.bytes(16), (file, b) -> Cifar10Files.read(List.of(file), new Cifar10Files.Source() {
                    @Override
                    public long size(Path f) {
                        return b.length;
                    }

                    @Override
                    public java.io.InputStream open(Path f) {
                        return new ByteArrayInputStream(b);
                    }
                }), Path.of("fuzz-input-batch.bin"), false, TRIES,
                List.of(DataFormatException.class), 16, 1L << 20));
    }

    @Test
    void modelFileReaderRefusesMutatedFilesCleanlyWithinBounds() throws IOException {
        FuzzHarness.Mutator raw = FuzzHarness.bytes(24);
        // a third raw mutations (the checksum catches them), two thirds doctored headers with a valid checksum
        FuzzHarness.Mutator m = (valid, r) -> r.nextInt(3) == 0 ? raw.mutate(valid, r) : ModelFuzzHooks.mutateHeader(valid, r);
        report("model file", FuzzHarness.run(MODEL, m, (f, b) -> ModelFiles.decode(b, f, new ScalarGemm()), Path.of("fuzz-input.cnn4j"), false,
                TRIES, List.of(ModelFileException.class), 16, MODEL_FIXED));
    }

    @Test
    void modelJsonReaderRefusesMutatedFilesCleanlyWithinBounds() throws IOException {
        byte[] valid = ModelJson.toJson(modelForJson()).getBytes(StandardCharsets.UTF_8);
        FuzzHarness.Mutator raw = FuzzHarness.bytes(valid.length);
        FuzzHarness.Mutator m = (v, r) -> r.nextInt(3) == 0 ? raw.mutate(v, r) : ModelFuzzHooks.mutateJson(v, r);
        // ModelJson.read(file) is readText + parse; parse and build are what the fuzzer exercises, in memory
        report("model json", FuzzHarness.run(valid, m, (file, b) -> ModelJson.build(ModelJson.parse(b, file, 0).gemm(new ScalarGemm()), file),
                Path.of("fuzz-input.json"), false, TRIES,
                List.of(ModelFileException.class), 16, MODEL_FIXED));
    }

    private static Sequential modelForJson() {
        Sequential m = new Sequential(4).gemm(new ScalarGemm());
        m.add(new Conv2D(2, 3, 3).activation("relu").inputShape(6, 6, 1));
        m.add(new MaxPooling2D(2, 2));
        m.add(new Dropout(0.5));
        m.add(new Flatten());
        m.add(new Dense(3, "softmax"));
        m.build();
        return m;
    }
}
