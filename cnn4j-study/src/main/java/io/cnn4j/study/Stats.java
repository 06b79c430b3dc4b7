package io.cnn4j.study;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The statistics of the report: t-based 95% confidence intervals, the paired t-test, the Wilcoxon
 * signed-rank test (exact for small samples) and Holm's step-down correction. Distributions come
 * from commons-math3; the Wilcoxon test is written out here because commons-math3's exact version
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

    /** A paired comparison of a variant against the baseline over the same seeds (differences variant − baseline). */
    public record Paired(int n, double meanDiff, double ciLow, double ciHigh, double t, double tP, Wilcoxon wilcoxon) {
    }

    public static Paired paired(double[] baseline, double[] variant) {
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
        return new Paired(n, s.mean(), s.ciLow(), s.ciHigh(), t, p, wilcoxon(d));
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
