package io.cnn4j.data;

import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PreprocessingTest {
    static Tensor random(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) r.nextDouble(0, 1);
        }
        return t;
    }

    @Test
    void standardizerFitsOnTrainAndAppliesToTest() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor train = random(r, 50, 4, 4, 3);
        for (int i = 1; i < train.size(); i += 3) {
            train.data()[i] = train.data()[i] * 10 + 5; // channel 1: different scale
        }
        Standardizer s = Standardizer.fit(train);
        Tensor z = s.apply(train);
        Standardizer again = Standardizer.fit(z);
        for (int c = 0; c < 3; c++) {
            assertThat(again.mean()[c]).isCloseTo(0f, within(1e-5f));
            assertThat(again.std()[c]).isCloseTo(1f, within(1e-4f));
        }
        assertThat(s.mean()[1]).isGreaterThan(9f);
        Tensor test = random(r, 5, 4, 4, 3);
        Tensor zt = s.apply(test);
        assertThat(zt.data()[4]).isCloseTo((test.data()[4] - s.mean()[1]) / s.std()[1], within(1e-6f));
        assertThatThrownBy(() -> s.apply(random(r, 2, 4, 4, 1))).hasMessageContaining("3 channels");
        // a constant channel maps to 0, not NaN
        Standardizer flat = Standardizer.fit(Tensor.zeros(2, 2, 2, 1));
        assertThat(flat.apply(Tensor.zeros(1, 2, 2, 1)).data()).containsOnly(0f);
    }

    @Test
    void shuffleIsSeededAndValidationSplitTakesTheLastPart() {
        SplittableRandom r = new SplittableRandom(1);
        int[] labels = new int[20];
        Tensor x = Tensor.zeros(20, 1, 1, 1);
        for (int i = 0; i < 20; i++) {
            labels[i] = i % 5;
            x.data()[i] = i;
        }
        Dataset d = new Dataset("d", x, labels, 5);
        Dataset a = Preprocessing.shuffle(d, 42), b = Preprocessing.shuffle(d, 42), c = Preprocessing.shuffle(d, 43);
        assertThat(a.x().data()).isEqualTo(b.x().data()).isNotEqualTo(d.x().data()).isNotEqualTo(c.x().data());
        for (int i = 0; i < 20; i++) {
            assertThat(a.labels()[i]).isEqualTo((int) a.x().data()[i] % 5); // labels follow their images
        }
        Preprocessing.Split s = Preprocessing.validationSplit(d, 0.25);
        assertThat(s.train().size()).isEqualTo(15);
        assertThat(s.validation().x().data()[0]).isEqualTo(15f);
        assertThatThrownBy(() -> Preprocessing.validationSplit(d, 1.0)).hasMessageContaining("(0, 1)");
    }

    @Test
    void flipAndShiftMoveEveryPixelWhereExpected() {
        // 1 image 3x4, 2 channels, values encode (y, x, c)
        Tensor img = Tensor.zeros(1, 3, 4, 2);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                for (int c = 0; c < 2; c++) {
                    img.set(100 * y + 10 * x + c + 1, 0, y, x, c);
                }
            }
        }
        float[] out = new float[img.size()];
        ImageAugmentation.transform(img.data(), out, 0, 3, 4, 2, true, 1, -1);
        Tensor o = new Tensor(out, 1, 3, 4, 2);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                int sy = y - 1, sx = x + 1;
                for (int c = 0; c < 2; c++) {
                    float expected = sy < 0 || sx >= 4 ? 0 : 100 * sy + 10 * (3 - sx) + c + 1;
                    assertThat(o.get(0, y, x, c)).as("y=%d x=%d c=%d", y, x, c).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void augmentationIsReproducibleFromItsGeneratorAndKeepsPixelMass() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = random(r, 16, 8, 8, 1);
        ImageAugmentation flipOnly = new ImageAugmentation(true, 0);
        Tensor a = x.copy(), b = x.copy();
        flipOnly.augment(a, new SplittableRandom(9));
        flipOnly.augment(b, new SplittableRandom(9));
        assertThat(a.data()).isEqualTo(b.data());
        int flipped = 0;
        for (int i = 0; i < 16; i++) {
            double sa = 0, sx = 0;
            for (int k = 0; k < 64; k++) {
                sa += a.data()[i * 64 + k];
                sx += x.data()[i * 64 + k];
            }
            assertThat(sa).isCloseTo(sx, within(1e-4)); // a flip keeps every pixel
            if (a.data()[i * 64] != x.data()[i * 64]) {
                flipped++;
            }
        }
        assertThat(flipped).isBetween(1, 15);
        assertThatThrownBy(() -> new ImageAugmentation(false, -1)).hasMessageContaining("maxShift");
    }
}
