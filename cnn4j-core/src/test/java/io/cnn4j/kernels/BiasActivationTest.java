package io.cnn4j.kernels;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Vector API bias-and-activation loops give the bits of the scalar reference, for filter counts
 * below, at and past whole vectors, with NaN, ±0, ±∞, denormals and values whose sum with the bias is
 * −0.0 among the inputs (a NaN is any NaN: its payload is not part of the result); and a
 * hand-computed example of what those bits are.
 */
class BiasActivationTest {
    private static final float[] SPECIAL = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f};

    private static BiasActivation vector() {
        BiasActivation best = BiasActivation.best();
        assertThat(best).as("surefire runs with jdk.incubator.vector").isNotInstanceOf(BiasActivation.Scalar.class);
        return best;
    }

    @Property(tries = 60)
    void vectorLoopsGiveTheScalarBits(@ForAll @IntRange(min = 1, max = 70) int filters,
                                      @ForAll @IntRange(min = 0, max = 9) int pixels,
                                      @ForAll @IntRange(min = 0, max = 3) int off,
                                      @ForAll @IntRange(min = 0, max = 1000) int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int size = off + pixels * filters + 2;
        float[] y = values(r, size), dz = values(r, size), bias = values(r, filters), db = values(r, filters);
        BiasActivation scalar = new BiasActivation.Scalar(), vector = vector();

        float[] ys = y.clone(), yv = y.clone();
        scalar.biasRelu(ys, off, pixels, filters, bias);
        vector.biasRelu(yv, off, pixels, filters, bias);
        sameBits("biasRelu", ys, yv);

        ys = y.clone();
        yv = y.clone();
        scalar.bias(ys, off, pixels, filters, bias);
        vector.bias(yv, off, pixels, filters, bias);
        sameBits("bias", ys, yv);

        float[] dzs = dz.clone(), dzv = dz.clone(), dbs = db.clone(), dbv = db.clone();
        scalar.reluBackward(y, dzs, off, pixels, filters, dbs);
        vector.reluBackward(y, dzv, off, pixels, filters, dbv);
        sameBits("reluBackward dz", dzs, dzv);
        sameBits("reluBackward bias gradient", dbs, dbv);
    }

    @Test
    void handComputedExample() {
        // 2 pixels × 3 filters; bias (1, −2, 0.5)
        float[] bias = {1f, -2f, 0.5f};
        float[] y = {-3f, 5f, -0f, 0.25f, Float.NaN, -0.5f};
        for (BiasActivation k : new BiasActivation[]{new BiasActivation.Scalar(), vector()}) {
            float[] relu = y.clone();
            k.biasRelu(relu, 0, 2, 3, bias);
            // max(−2, 0) = 0, max(3, 0) = 3, max(0.5, 0) = 0.5, max(1.25, 0), NaN stays, max(−0.0 sum, 0) = +0.0
            assertThat(relu).containsExactly(0f, 3f, 0.5f, 1.25f, Float.NaN, 0f);
            assertThat(Float.floatToRawIntBits(relu[5])).isZero();
            float[] plain = y.clone();
            k.bias(plain, 0, 2, 3, bias);
            assertThat(plain).containsExactly(-2f, 3f, 0.5f, 1.25f, Float.NaN, 0f);
            // backward through the ReLU just computed: the gradient passes where the output is > 0
            float[] dz = {10f, 20f, 30f, 40f, 50f, 60f};
            float[] db = {1f, 1f, 1f};
            k.reluBackward(relu, dz, 0, 2, 3, db);
            assertThat(dz).containsExactly(0f, 20f, 30f, 40f, Float.NaN, 0f);
            assertThat(db[0]).isEqualTo(41f);
            assertThat(db[1]).isNaN();
            assertThat(db[2]).isEqualTo(31f);
        }
    }

    private static float[] values(SplittableRandom r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = r.nextInt(4) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextDouble() * 4 - 2);
        }
        return v;
    }

    private static void sameBits(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            // floatToIntBits: every NaN as one (which operand's NaN payload x86 passes on depends on
            // the order the compiler put the operands of a commutative add in); ±0 stay apart
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + " [" + i + "]: scalar " + expected[i] + " vs vector " + actual[i]);
            }
        }
    }
}
