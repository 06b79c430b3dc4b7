package io.cnn4j.study;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * TOST, minimal detectable difference and the verdict rule on hand-computed examples. With n = 3
 * (2 degrees of freedom) Student's t has closed forms: F(t) = 1/2 + t / (2√(t² + 2)) and
 * t_p = (2p − 1) / √(2p(1 − p)), so every expected value below is arithmetic.
 */
class EquivalenceTest {
    static double cdf2(double t) {
        return 0.5 + t / (2 * Math.sqrt(t * t + 2));
    }

    static double quantile2(double p) {
        return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
    }

    @Test
    void closedFormsAreRight() {
        assertThat(quantile2(0.975)).isCloseTo(4.302653, within(1e-6)); // t table, 2 df
        assertThat(cdf2(quantile2(0.8))).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void tostOnThreeDifferences() {
        // d = 0.1, 0.2, 0.3 points: mean 0.2, sd 0.1, se = 0.1/√3 points
        double[] d = {0.001, 0.002, 0.003};
        double se = 0.001 / Math.sqrt(3);
        // margin 0.3 points: t⁻ = 0.5/se', t⁺ = −0.1/se' → p⁺ = F(−√3) = 1/2 − √3/(2√5) = 0.112702
        Stats.Tost narrow = Stats.tost(d, 0.003);
        assertThat(narrow.pUpper()).isCloseTo(0.5 - Math.sqrt(3) / (2 * Math.sqrt(5)), within(1e-12));
        assertThat(narrow.pUpper()).isCloseTo(0.112702, within(1e-6));
        assertThat(narrow.pLower()).isCloseTo(1 - cdf2(0.005 / se), within(1e-12));
        assertThat(narrow.p()).isEqualTo(narrow.pUpper());
        // 90% interval: mean ± t_0.95 · se, here 0.2 ± 2.919986 · 0.0577350 points = 0.031420 .. 0.368580
        assertThat(quantile2(0.95)).isCloseTo(2.919986, within(1e-6));
        assertThat(narrow.ci90Low()).isCloseTo(0.002 - quantile2(0.95) * se, within(1e-9));
        assertThat(narrow.ci90High()).isCloseTo(0.0036858, within(1e-7));
        // margin 0.6 points: t⁺ = −0.4/se → p⁺ = 1/2 − 6.928203/(2√50) = 0.010102; t⁻ = 0.8/se → p⁻ = 0.002584
        Stats.Tost wide = Stats.tost(d, 0.006);
        assertThat(wide.pUpper()).isCloseTo(0.010102, within(1e-6));
        assertThat(wide.pLower()).isCloseTo(0.002584, within(1e-6));
        assertThat(wide.p()).isCloseTo(0.010102, within(1e-6));
        // p < 0.05 exactly when the 90% interval lies inside the margin
        assertThat(narrow.ci90High()).isGreaterThan(0.003);
        assertThat(wide.ci90High()).isLessThan(0.006);
    }

    @Test
    void tostWithConstantDifferencesIsDecidedByWhereTheyLie() {
        assertThat(Stats.tost(new double[]{0.001, 0.001, 0.001}, 0.003).p()).isZero();
        assertThat(Stats.tost(new double[]{0.004, 0.004, 0.004}, 0.003).p()).isEqualTo(1.0);
        assertThat(Stats.tost(new double[]{0.001}, 0.003).p()).isNaN();
    }

    @Test
    void minimalDetectableDifferenceAndSeedsNeeded() {
        // n = 3, sd = 0.3 points: (t_0.975 + t_0.8) · sd/√3 = (4.302653 + 1.060660) · 0.173205 = 0.928953 points
        assertThat(Stats.minimalDetectableDifference(0.003, 3, 0.05, 0.8))
                .isCloseTo((quantile2(0.975) + quantile2(0.8)) * 0.003 / Math.sqrt(3), within(1e-12))
                .isCloseTo(0.00928953, within(1e-8));
        // n = 10, sd = 0.3 points, 9 df: (2.262157 + 0.883303) · 0.3/√10 = 0.298414 points (t table)
        assertThat(Stats.minimalDetectableDifference(0.003, 10, 0.05, 0.8)).isCloseTo(0.00298414, within(1e-8));
        // so detecting 0.3 points at sd 0.3 needs 10 seeds: n = 9 gives (2.306004 + 0.888981) · 0.1 = 0.3195 points
        assertThat(Stats.seedsToDetect(0.003, 0.003, 0.05, 0.8)).isEqualTo(10);
        // equivalence within ±m with 80% power at a true difference of 0: (t_0.95 + t_0.9) · sd/√n ≤ m;
        // n = 3: (2.919986 + 1.885618) · sd/√3, closed form
        assertThat(Stats.minimalEquivalenceMargin(0.003, 3, 0.05, 0.8))
                .isCloseTo((quantile2(0.95) + quantile2(0.9)) * 0.003 / Math.sqrt(3), within(1e-12));
        // 9 df: (1.833113 + 1.383029) · 0.3/√10 = 1.01703 · 0.3 > 0.3 → not yet; 10 df, n = 11: (1.812461 + 1.372184) · 0.3/√11 = 0.28803
        assertThat(Stats.seedsForEquivalence(0.003, 0.003, 0.05, 0.8)).isEqualTo(11);
        assertThat(Stats.minimalDetectableDifference(Double.NaN, 5, 0.05, 0.8)).isNaN();
    }

    @Test
    void pairedCarriesTostAndDetectableDifference() {
        double[] base = {0.90, 0.91, 0.92};
        double[] variant = {0.901, 0.912, 0.923};
        Stats.Paired p = Stats.paired(base, variant, 0.006);
        assertThat(p.sd()).isCloseTo(0.001, within(1e-12));
        assertThat(p.tost().p()).isCloseTo(0.010102, within(1e-6));
        assertThat(p.mdd80()).isCloseTo((quantile2(0.975) + quantile2(0.8)) * 0.001 / Math.sqrt(3), within(1e-12));
    }

    @Test
    void verdictRule() {
        assertThat(Verdict.decide(5, 0.004, 0.01, 0.9)).isEqualTo(Verdict.BETTER);
        assertThat(Verdict.decide(5, -0.004, 0.01, 0.9)).isEqualTo(Verdict.WORSE);
        // a significant difference takes precedence over equivalence
        assertThat(Verdict.decide(5, 0.001, 0.01, 0.01)).isEqualTo(Verdict.BETTER);
        assertThat(Verdict.decide(5, 0.001, 0.4, 0.049)).isEqualTo(Verdict.EQUIVALENT);
        assertThat(Verdict.decide(5, 0.001, 0.4, 0.05)).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(Verdict.decide(5, 0.001, Double.NaN, Double.NaN)).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(Verdict.decide(1, 0.01, 0.0, 0.0)).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(Verdict.EQUIVALENT.label(0.003)).isEqualTo("equivalent within ±0.3");
    }
}
