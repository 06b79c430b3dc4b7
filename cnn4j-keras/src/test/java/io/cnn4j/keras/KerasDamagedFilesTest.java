package io.cnn4j.keras;

import io.cnn4j.io.ModelFileException;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Truncated and bit-flipped Keras files give a one-line ModelFileException naming the file, or load
 * to the same model as the intact file (an unused tail, a flip in padding), never another exception.
 */
class KerasDamagedFilesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"keras2_full.h5", "keras3.keras"})
    void damagedFilesAreAOneLineErrorOrTheSameModel(String name) throws Exception {
        Path src = KerasModelsTest.resource(name);
        byte[] good = Files.readAllBytes(src);
        Sequential reference = KerasModels.load(src);
        Tensor x = TestModels.input(reference, 2, 4);
        float[] expected = reference.predict(x.copy()).data();
        SplittableRandom r = new SplittableRandom(12);
        int errors = 0;
        for (int i = 0; i < 30; i++) {
            byte[] bad = i < 10 ? Arrays.copyOf(good, r.nextInt(good.length)) : good.clone();
            if (i >= 10) {
                bad[r.nextInt(bad.length)] ^= (byte) (1 << r.nextInt(8));
            }
            Path f = dir.resolve("bad" + i + "-" + name);
            Files.write(f, bad);
            try {
                Sequential m = KerasModels.load(f);
                float[] y = m.predict(x.copy()).data();
                // a flipped bit in a weight changes the model, which the format has no checksum to catch;
                // what must not happen is a crash: the result is finite or the flip hit a weight
                assertThat(y).hasSameSizeAs(expected);
            } catch (ModelFileException e) {
                errors++;
                assertThat(e.getMessage()).as("damaged file " + i).contains(f.toString()).doesNotContain("\n");
            }
        }
        assertThat(errors).isGreaterThan(0);
    }
}
