package io.cnn4j.onnx;

import io.cnn4j.io.ModelFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThatCode;

/** Truncated and bit-flipped ONNX files load to a model or give a ModelFileException naming the file, never another exception. */
class OnnxDamagedFilesTest {
    @TempDir
    Path dir;

    @Test
    void damagedFilesAreAOneLineErrorOrStillAModel() throws Exception {
        byte[] good = Files.readAllBytes(OnnxImportTorchTest.resource("torch_conv_relu_maxpool_gemm_softmax.onnx"));
        SplittableRandom r = new SplittableRandom(12);
        for (int i = 0; i < 60; i++) {
            byte[] bad = i < 20 ? Arrays.copyOf(good, r.nextInt(good.length)) : good.clone();
            if (i >= 20) {
                bad[r.nextInt(bad.length)] ^= (byte) (1 << r.nextInt(8));
            }
            Path f = dir.resolve("bad" + i + ".onnx");
            Files.write(f, bad);
            assertThatCode(() -> {
                try {
                    OnnxModels.load(f);
                } catch (ModelFileException e) {
                    if (!e.getMessage().contains(f.toString()) || e.getMessage().contains("\n")) {
                        throw new AssertionError("not a one-line message naming the file: " + e.getMessage());
                    }
                }
            }).as("damaged file " + i).doesNotThrowAnyException();
        }
    }
}
