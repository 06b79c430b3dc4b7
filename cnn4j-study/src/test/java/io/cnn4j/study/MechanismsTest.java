package io.cnn4j.study;

import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MechanismsTest {
    @Test
    void spatialDropoutCommutesWithMaxPoolingExactlyAndWithAveragePoolingUpToRounding() {
        Tensor x = Mechanisms.randomPositive(8, 12, 12, 6, 3);
        Mechanisms.Commutation max = Mechanisms.commutation("random", x, "max", 2, 0.4, 1);
        assertThat(max.maxAbsDiff()).isEqualTo(0.0);
        Mechanisms.Commutation avg = Mechanisms.commutation("random", x, "avg", 3, 0.4, 1);
        // averaging is linear; float rounding of (Σ m·x)/k² vs m·(Σ x)/k² only
        assertThat(avg.maxAbsDiff()).isLessThanOrEqualTo(4 * Math.ulp((float) avg.maxAbs() / 0.6f));
        assertThat(avg.maxAbs()).isGreaterThan(0.5);
    }

    @Test
    void elementWiseDropoutBeforeMaxPoolZeroesPooledUnitsAtRatePToTheKSquared() {
        Tensor x = Mechanisms.randomPositive(16, 8, 8, 8, 5);
        for (double p : new double[]{0.5, 0.7}) {
            Mechanisms.ZeroRate z = Mechanisms.zeroRate("random", x, 2, p, 40, 9);
            double theory = Math.pow(p, 4);
            assertThat(z.theoryBefore()).isCloseTo(theory, within(1e-12));
            double m = z.units();
            double bound = 4 * Math.sqrt(theory * (1 - theory) / m);
            assertThat(z.measuredBefore()).isCloseTo(theory, within(bound));
            assertThat(z.measuredAfter()).isCloseTo(p, within(4 * Math.sqrt(p * (1 - p) / m)));
        }
    }

    @Test
    void theoryCountsOnlyTheNonZeroInputsOfEachWindow() {
        // one window with a single active input: zero iff that input drops (probability p, not p^4)
        float[] v = new float[4 * 4];
        v[0] = 1f;
        Tensor x = new Tensor(v, 1, 4, 4, 1);
        Mechanisms.ZeroRate z = Mechanisms.zeroRate("one", x, 2, 0.3, 4000, 2);
        assertThat(z.theoryBefore()).isCloseTo(0.3, within(1e-12));
        assertThat(z.measuredBefore()).isCloseTo(0.3, within(4 * Math.sqrt(0.3 * 0.7 / 4000)));
    }

    @Test
    void momentsShowTheTrainInferenceMismatchOfDropoutBeforeMaxPooling() {
        // equal inputs, p = 0.5, 2x2: E[max(m·a)] = a/q · (1 − p⁴) = 1.875 a
        float[] v = new float[4 * 8 * 8 * 4];
        java.util.Arrays.fill(v, 1f);
        Tensor x = new Tensor(v, 4, 8, 8, 4);
        List<Mechanisms.Moments> m = Mechanisms.moments("equal", x, "max", 2, 0.5, 200, 4);
        Mechanisms.Moments before = m.stream().filter(s -> s.placement().equals("dropout-before")).findFirst().orElseThrow();
        assertThat(before.meanRatio()).isCloseTo(1.875, within(0.03));
        Mechanisms.Moments after = m.stream().filter(s -> s.placement().equals("dropout-after")).findFirst().orElseThrow();
        assertThat(after.meanRatio()).isCloseTo(1.0, within(0.03));
        // probabilistic weighted pooling: inference mean equals the training mean, 1 − p⁴ = 0.9375 of the plain max here
        Mechanisms.Moments pwpTrain = m.stream().filter(s -> s.placement().equals("pwp-before (training)")).findFirst().orElseThrow();
        Mechanisms.Moments pwpInference = m.stream().filter(s -> s.placement().equals("pwp-before (inference)")).findFirst().orElseThrow();
        assertThat(pwpInference.meanRatio()).isCloseTo(0.9375, within(1e-6));
        assertThat(pwpTrain.meanRatio()).isCloseTo(0.9375, within(0.02));
        List<Mechanisms.Moments> avg = Mechanisms.moments("equal", x, "avg", 2, 0.5, 200, 4);
        for (Mechanisms.Moments s : avg) {
            assertThat(s.meanRatio()).as(s.placement()).isCloseTo(1.0, within(0.03));
        }
    }
}
