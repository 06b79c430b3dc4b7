package io.cnn4j.study;

import org.hipparchus.distribution.continuous.NormalDistribution;
import org.hipparchus.distribution.continuous.TDistribution;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The statistics of the report: t-based 95% confidence intervals, the paired t-test, the Wilcoxon
 * signed-rank test (exact for small samples), the paired equivalence test (TOST) against a margin,
 * the minimal detectable difference at a given power and Holm's step-down correction. Distributions
 * come from Hipparchus; the Wilcoxon test is written out here because the library's exact version
 * neither drops zero differences nor handles tied ranks.
 */
public final class Stats {
    /** Exact Wilcoxon distribution up to this many non-zero differences (2^n sign patterns via dynamic programming). */
    static final int WILCOXON_EXACT_MAX = 50;

    private Stats() {
    }

    /** Mean, sample standard deviation and 95% t confidence interval of the mean. */
    public record Summary(int n, double mean, double sd, double ciLow, double ciHigh) {
        public double halfWidth() {
            return (ciHigh - ciLow) / 2;
        }
    }

    public static Summary summarize(double[] xs) {
        int n = xs.length;
        if (n == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = Arrays.stream(xs).sum() / n;
        if (n == 1) {
            return new Summary(1, mean, Double.NaN, Double.NaN, Double.NaN);
        }
        double ss = 0;
        for (double x : xs) {
            ss += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double h = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(n);
        return new Summary(n, mean, sd, mean - h, mean + h);
    }

    /** Result of the Wilcoxon signed-rank test on paired differences. */
    public record Wilcoxon(int n, double wPlus, double p, boolean exact) {
    }

    /**
     * Two-sided Wilcoxon signed-rank test of differences {@code d} against 0: zero differences are
     * dropped (Wilcoxon's convention), tied |d| get average ranks. Exact null distribution by
     * enumerating the 2^n sign patterns (as counts over doubled ranks) for n ≤ {@value #WILCOXON_EXACT_MAX},
     * otherwise the normal approximation with tie correction and continuity correction.
     */
    public static Wilcoxon wilcoxon(double[] d) {
        double[] nz = Arrays.stream(d).filter(v -> v != 0).toArray();
        int n = nz.length;
        if (n == 0) {
            return new Wilcoxon(0, 0, 1.0, true);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> Math.abs(nz[i])));
        int[] doubledRank = new int[n];
        double tieTerm = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && Math.abs(nz[order[j + 1]]) == Math.abs(nz[order[i]])) {
                j++;
            }
            int t = j - i + 1;
            tieTerm += (double) t * t * t - t;
            // average of ranks i+1..j+1, doubled to stay an integer
            int r2 = (i + 1) + (j + 1);
            for (int k = i; k <= j; k++) {
                doubledRank[order[k]] = r2;
            }
            i = j + 1;
        }
        long w2 = 0;
        int total2 = 0;
        for (int i = 0; i < n; i++) {
            total2 += doubledRank[i];
            if (nz[i] > 0) {
                w2 += doubledRank[i];
            }
        }
        double wPlus = w2 / 2.0;
        if (n <= WILCOXON_EXACT_MAX) {
            // counts[s] = number of sign patterns whose doubled positive-rank sum is s
            double[] counts = new double[total2 + 1];
            counts[0] = 1;
            int reach = 0;
            for (int r : doubledRank) {
                for (int s = reach; s >= 0; s--) {
                    if (counts[s] != 0) {
                        counts[s + r] += counts[s];
                    }
                }
                reach += r;
            }
            double all = Math.pow(2, n);
            double le = 0, ge = 0;
            for (int s = 0; s <= total2; s++) {
                if (s <= w2) {
                    le += counts[s];
                }
                if (s >= w2) {
                    ge += counts[s];
                }
            }
            double p = Math.min(1.0, 2 * Math.min(le, ge) / all);
            return new Wilcoxon(n, wPlus, p, true);
        }
        double mean = n * (n + 1) / 4.0;
        double var = n * (n + 1) * (2.0 * n + 1) / 24.0 - tieTerm / 48.0;
        double z = (Math.abs(wPlus - mean) - 0.5) / Math.sqrt(var);
        double p = Math.min(1.0, 2 * (1 - new NormalDistribution().cumulativeProbability(Math.max(0, z))));
        return new Wilcoxon(n, wPlus, p, false);
    }

    /**
     * Two one-sided t-tests (Schuirmann 1987) of paired differences against the margin ±m:
     * H0⁻: μ ≤ −m vs μ &gt; −m, with t⁻ = (d̄ + m)/(s/√n), p⁻ = P(T &gt; t⁻); H0⁺: μ ≥ m vs μ &lt; m, with
     * t⁺ = (d̄ − m)/(s/√n), p⁺ = P(T &lt; t⁺); T has n − 1 degrees of freedom. {@code p} = max(p⁻, p⁺):
     * equivalence within ±m at level α iff p &lt; α, i.e. iff the (1 − 2α) t-interval lies inside (−m, m).
     */
    public record Tost(double margin, double pLower, double pUpper, double p, double ci90Low, double ci90High) {
    }

    public static Tost tost(double[] d, double margin) {
        if (!(margin > 0)) {
            throw new IllegalArgumentException("equivalence margin must be positive, got " + margin);
        }
        Summary s = summarize(d);
        int n = d.length;
        if (n < 2) {
            return new Tost(margin, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double se = s.sd() / Math.sqrt(n);
        if (se <= 1e-15) {
            // every difference the same: inside the margin is certain equivalence, outside certain non-equivalence
            double p = Math.abs(s.mean()) < margin ? 0 : 1;
            return new Tost(margin, p, p, p, s.mean(), s.mean());
        }
        TDistribution t = new TDistribution(n - 1);
        double pLower = 1 - t.cumulativeProbability((s.mean() + margin) / se);
        double pUpper = t.cumulativeProbability((s.mean() - margin) / se);
        double h = t.inverseCumulativeProbability(0.95) * se;
        return new Tost(margin, pLower, pUpper, Math.max(pLower, pUpper), s.mean() - h, s.mean() + h);
    }

    /**
     * The minimal detectable difference of a two-sided paired t-test at level {@code alpha} with
     * the given power, from the sd of the differences: (t(1 − α/2; n−1) + t(power; n−1)) · sd/√n
     * (the usual approximation that ignores the test's other tail and the noncentrality's skew).
     */
    public static double minimalDetectableDifference(double sd, int n, double alpha, double power) {
        if (n < 2 || Double.isNaN(sd)) {
            return Double.NaN;
        }
        TDistribution t = new TDistribution(n - 1);
        return (t.inverseCumulativeProbability(1 - alpha / 2) + t.inverseCumulativeProbability(power)) * sd / Math.sqrt(n);
    }

    /**
     * The half-width of the equivalence margin TOST can establish with the given power when the
     * true difference is 0: (t(1 − α; n−1) + t(1 − (1 − power)/2; n−1)) · sd/√n.
     */
    public static double minimalEquivalenceMargin(double sd, int n, double alpha, double power) {
        if (n < 2 || Double.isNaN(sd)) {
            return Double.NaN;
        }
        TDistribution t = new TDistribution(n - 1);
        return (t.inverseCumulativeProbability(1 - alpha) + t.inverseCumulativeProbability(1 - (1 - power) / 2)) * sd / Math.sqrt(n);
    }

    /** The smallest number of paired seeds (≥ 2, ≤ 1000) whose minimal detectable difference is at most {@code delta}. */
    public static int seedsToDetect(double sd, double delta, double alpha, double power) {
        for (int n = 2; n <= 1000; n++) {
            if (minimalDetectableDifference(sd, n, alpha, power) <= delta) {
                return n;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** The smallest number of paired seeds (≥ 2, ≤ 1000) at which TOST reaches the margin with the given power. */
    public static int seedsForEquivalence(double sd, double margin, double alpha, double power) {
        for (int n = 2; n <= 1000; n++) {
            if (minimalEquivalenceMargin(sd, n, alpha, power) <= margin) {
                return n;
            }
        }
        return Integer.MAX_VALUE;
    }

    /**
     * A paired comparison of a variant against the baseline over the same seeds (differences
     * variant − baseline): mean, sd and 95% t-interval of the differences, paired t-test, Wilcoxon,
     * TOST against the margin (null without one) and the minimal detectable difference at 80% power.
     */
    public record Paired(int n, double meanDiff, double sd, double ciLow, double ciHigh, double t, double tP, Wilcoxon wilcoxon,
                         Tost tost, double mdd80) {
    }

    public static Paired paired(double[] baseline, double[] variant) {
        return paired(baseline, variant, Double.NaN);
    }

    /** As {@link #paired(double[], double[])}, with a TOST against ±{@code margin} (NaN: none). */
    public static Paired paired(double[] baseline, double[] variant, double margin) {
        if (baseline.length != variant.length) {
            throw new IllegalArgumentException("paired samples differ in size: baseline " + baseline.length + ", variant " + variant.length);
        }
        int n = baseline.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = variant[i] - baseline[i];
        }
        Summary s = summarize(d);
        double t, p;
        if (n < 2) {
            t = Double.NaN;
            p = Double.NaN;
        } else if (s.sd() <= 1e-12) {
            // all differences equal (up to rounding): no differences at all gives p = 1; a constant
            // non-zero difference makes t infinite and the test meaningless, so no p-value
            boolean none = Math.abs(s.mean()) <= 1e-12;
            t = none ? 0 : Double.NaN;
            p = none ? 1 : Double.NaN;
        } else {
            t = s.mean() / (s.sd() / Math.sqrt(n));
            p = 2 * new TDistribution(n - 1).cumulativeProbability(-Math.abs(t));
        }
        Tost tost = Double.isNaN(margin) ? null : tost(d, margin);
        return new Paired(n, s.mean(), s.sd(), s.ciLow(), s.ciHigh(), t, p, wilcoxon(d), tost,
                minimalDetectableDifference(s.sd(), n, 0.05, 0.8));
    }

    /** Holm's step-down adjusted p-values (same order as {@code p}); NaN stays NaN and is not counted. */
    public static double[] holm(double[] p) {
        Integer[] idx = java.util.stream.IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingDouble(i -> p[i]));
        int m = idx.length;
        double[] adj = new double[p.length];
        Arrays.fill(adj, Double.NaN);
        double running = 0;
        for (int k = 0; k < m; k++) {
            running = Math.max(running, Math.min(1.0, (m - k) * p[idx[k]]));
            adj[idx[k]] = running;
        }
        return adj;
    }
}
