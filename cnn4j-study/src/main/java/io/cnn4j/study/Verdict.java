package io.cnn4j.study;

import java.util.Locale;

/**
 * How one paired comparison against the baseline ends, at level α = 0.05 after Holm's correction
 * across the family (the difference tests and the equivalence tests each corrected on their own):
 * <ol>
 *   <li>{@link #BETTER} / {@link #WORSE}: the paired t-test rejects "no difference" (Holm p &lt; α);
 *       the sign of the mean difference says which;</li>
 *   <li>otherwise {@link #EQUIVALENT}: TOST rejects "|difference| ≥ m" (Holm p &lt; α), i.e. the
 *       Holm-level (1 − 2α) interval lies inside ±m;</li>
 *   <li>otherwise {@link #INCONCLUSIVE}: neither; fewer than two paired seeds also end here.</li>
 * </ol>
 * A difference test that rejects takes precedence: a real but small difference is reported as
 * better/worse, and the table shows separately whether it is also within the margin.
 */
public enum Verdict {
    BETTER, WORSE, EQUIVALENT, INCONCLUSIVE;

    public static final double ALPHA = 0.05;

    public static Verdict decide(int n, double meanDiff, double holmDifferenceP, double holmTostP) {
        if (n < 2) {
            return INCONCLUSIVE;
        }
        if (holmDifferenceP < ALPHA) {
            return meanDiff > 0 ? BETTER : WORSE;
        }
        if (holmTostP < ALPHA) {
            return EQUIVALENT;
        }
        return INCONCLUSIVE;
    }

    /** "better", "worse", "equivalent within ±0.3" (margin in points) or "inconclusive". */
    public String label(double margin) {
        return switch (this) {
            case EQUIVALENT -> String.format(Locale.ROOT, "equivalent within ±%s", Analysis.points(margin));
            default -> name().toLowerCase(Locale.ROOT);
        };
    }
}
