package io.cnn4j.study;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatsTest {
    // Cushny & Peebles' sleep data (R's `sleep`): extra hours of sleep under two drugs, same 10 patients.
    static final double[] DRUG1 = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    static final double[] DRUG2 = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

    @Test
    void pairedTTestMatchesThePublishedSleepExample() {
        // R: t.test(extra ~ group, data = sleep, paired = TRUE):
        // t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142, mean difference -1.58
        Stats.Paired p = Stats.paired(DRUG2, DRUG1);
        assertThat(p.meanDiff()).isCloseTo(-1.58, within(1e-12));
        assertThat(p.t()).isCloseTo(-4.0621, within(5e-5));
        assertThat(p.tP()).isCloseTo(0.002833, within(5e-7));
        assertThat(p.ciLow()).isCloseTo(-2.4598858, within(1e-7));
        assertThat(p.ciHigh()).isCloseTo(-0.7001142, within(1e-7));
    }

    @Test
    void exactWilcoxonMatchesThePublishedDepressionExample() {
        // Hollander & Wolfe (1973) p. 29, R's wilcox.test example: V = 40, one-sided p = 0.01953,
        // so two-sided exact p = 2 * 10 / 2^9 = 0.0390625.
        double[] x = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
        double[] y = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
        Stats.Paired p = Stats.paired(y, x);
        assertThat(p.wilcoxon().wPlus()).isEqualTo(40.0);
        assertThat(p.wilcoxon().exact()).isTrue();
        assertThat(p.wilcoxon().p()).isCloseTo(0.0390625, within(1e-12));
    }

    @Test
    void wilcoxonWithTiesAndZerosAgreesWithBruteForceEnumeration() {
        // sleep data: one zero difference (dropped) and tied |d| = 1.3; all other differences positive
        double[] d = new double[DRUG1.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.round((DRUG1[i] - DRUG2[i]) * 10) / 10.0;
        }
        Stats.Wilcoxon w = Stats.wilcoxon(d);
        assertThat(w.n()).isEqualTo(9);
        assertThat(w.wPlus()).isEqualTo(0.0);
        assertThat(w.p()).isCloseTo(bruteForceTwoSided(d), within(1e-12));
        // only "all negative" reaches W+ = 0, so p = 2 / 2^9
        assertThat(w.p()).isCloseTo(2.0 / 512, within(1e-12));
        double[] mixed = {0.5, -1.5, 1.5, 2.0, -0.25, 3.0, 1.5, -2.0, 0.0, 4.0, 0.75};
        assertThat(Stats.wilcoxon(mixed).p()).isCloseTo(bruteForceTwoSided(mixed), within(1e-12));
    }

    /** Independent reference: average ranks of |d| over non-zero d, all 2^n sign patterns enumerated. */
    static double bruteForceTwoSided(double[] d) {
        double[] nz = Arrays.stream(d).filter(v -> v != 0).toArray();
        int n = nz.length;
        double[] rank = new double[n];
        for (int i = 0; i < n; i++) {
            int less = 0, equal = 0;
            for (int j = 0; j < n; j++) {
                if (Math.abs(nz[j]) < Math.abs(nz[i])) {
                    less++;
                } else if (Math.abs(nz[j]) == Math.abs(nz[i])) {
                    equal++;
                }
            }
            rank[i] = less + (equal + 1) / 2.0;
        }
        double observed = 0;
        for (int i = 0; i < n; i++) {
            if (nz[i] > 0) {
                observed += rank[i];
            }
        }
        int le = 0, ge = 0;
        for (int mask = 0; mask < (1 << n); mask++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << i)) != 0) {
                    s += rank[i];
                }
            }
            if (s <= observed + 1e-9) {
                le++;
            }
            if (s >= observed - 1e-9) {
                ge++;
            }
        }
        return Math.min(1, 2.0 * Math.min(le, ge) / (1 << n));
    }

    @Test
    void holmAdjustsStepDownAndKeepsOrder() {
        // sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> monotone 0.02, 0.03, 0.06, 0.06
        double[] adj = Stats.holm(new double[]{0.01, 0.04, 0.03, 0.005});
        assertThat(adj).containsExactly(new double[]{0.03, 0.06, 0.06, 0.02}, within(1e-12));
        assertThat(Stats.holm(new double[]{0.5, Double.NaN, 0.6})).containsExactly(new double[]{1.0, Double.NaN, 1.0}, within(1e-12));
    }

    @Test
    void equalDifferencesGiveNoTTestAndNoDifferencesGivePOne() {
        Stats.Paired constant = Stats.paired(new double[]{0.31, 0.40, 0.52}, new double[]{0.47, 0.56, 0.68});
        assertThat(constant.tP()).isNaN();
        Stats.Paired none = Stats.paired(new double[]{0.31, 0.40}, new double[]{0.31, 0.40});
        assertThat(none.tP()).isEqualTo(1.0);
        assertThat(none.wilcoxon().p()).isEqualTo(1.0);
    }

    @Test
    void confidenceIntervalUsesStudentT() {
        Stats.Summary s = Stats.summarize(new double[]{1, 2, 3, 4});
        // mean 2.5, sd sqrt(5/3), t(0.975, 3) = 3.182446305
        double h = 3.182446305284263 * Math.sqrt(5.0 / 3) / 2;
        assertThat(s.mean()).isEqualTo(2.5);
        assertThat(s.sd()).isCloseTo(Math.sqrt(5.0 / 3), within(1e-12));
        assertThat(s.ciLow()).isCloseTo(2.5 - h, within(1e-9));
        assertThat(s.ciHigh()).isCloseTo(2.5 + h, within(1e-9));
        assertThat(Stats.summarize(new double[]{0.7}).sd()).isNaN();
    }
}
