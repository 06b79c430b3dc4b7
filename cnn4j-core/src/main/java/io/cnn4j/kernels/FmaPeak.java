package io.cnn4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's measured peak of fused multiply-adds in float, through the same Vector API species
 * the kernels use: the yardstick {@code cnn4j bench} divides each layer's speed by; no Keras
 * counterpart. Each thread runs {@value #CHAINS} independent FMA chains on registers only (no
 * memory traffic), so the number is what the FMA units give, not what a kernel gets: more chains
 * than FMA latency × FMA pipes (4 × 2 on Zen 3 to Zen 5), so the pipes never wait on a result.
 *
 * <p>Measured rather than computed from a clock and a pipe count because these hosts are virtual
 * machines: the two vCPUs may or may not share a core, and the clock under load is not what
 * {@code /proc/cpuinfo} says. Do not reference this class unless {@link VectorGemmProvider#isAvailable()}
 * says so (it links against {@code jdk.incubator.vector}).
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulator chains per thread. */
    static final int CHAINS = 12;
    /** Loop iterations per call: long enough that the call costs nothing, short enough to be called often. */
    private static final int CALL_ITERATIONS = 4096;

    private FmaPeak() {
    }

    /** The float vector width in lanes (8 with AVX2, 16 with AVX-512). */
    public static int lanes() {
        return SPECIES.length();
    }

    /**
     * Best of {@code rounds} timed rounds, each with {@code threads} threads running together for
     * about {@code millisPerRound}, in GFLOP/s (an FMA counts as two FLOPs, per lane).
     */
    public static double gflops(int threads, int rounds, int millisPerRound) {
        if (threads < 1 || rounds < 1 || millisPerRound < 1) {
            throw new IllegalArgumentException("FMA peak: threads, rounds and milliseconds must be positive, got "
                    + threads + ", " + rounds + ", " + millisPerRound);
        }
        // warm-up: many calls of a short loop, so that C2 compiles the method itself (normal entry),
        // not only an on-stack replacement of one long loop: a run that entered the long loop
        // before compilation could stay in slower code (measured: 3 GFLOP/s instead of 80, once)
        float sink = 0;
        for (int i = 0; i < 3000; i++) {
            sink += chains(CALL_ITERATIONS, i);
        }
        // calibrate the calls per round to the round length on one thread
        int probe = 2000;
        long t0 = System.nanoTime();
        for (int i = 0; i < probe; i++) {
            sink += chains(CALL_ITERATIONS, i);
        }
        double nsPerCall = Math.max(1, (System.nanoTime() - t0) / (double) probe);
        long calls = Math.max(100, (long) (millisPerRound * 1e6 / nsPerCall));
        double best = 0;
        float[] results = new float[threads];
        for (int r = 0; r < rounds; r++) {
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                final int id = t;
                workers[t] = new Thread(() -> results[id] = calls(calls, id), "cnn4j-fma-peak-" + t);
                workers[t].setDaemon(true);
            }
            long start = System.nanoTime();
            for (Thread w : workers) {
                w.start();
            }
            for (Thread w : workers) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("FMA peak measurement interrupted", e);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            best = Math.max(best, threads * (double) calls * CALL_ITERATIONS * CHAINS * SPECIES.length() * 2 / seconds / 1e9);
        }
        for (float f : results) {
            sink += f;
        }
        // the sum is finite by construction; checking it keeps the JIT from dropping the work
        if (Float.isNaN(sink)) {
            throw new IllegalStateException("FMA peak: NaN in the accumulators");
        }
        return best;
    }

    /** {@code calls} calls of {@link #chains}. */
    private static float calls(long calls, int seed) {
        float sum = 0;
        for (long i = 0; i < calls; i++) {
            sum += chains(CALL_ITERATIONS, seed);
        }
        return sum;
    }

    /** {@code iters} rounds of CHAINS dependent-per-chain FMAs; the chains stay near 1, never overflow. */
    private static float chains(int iters, int seed) {
        FloatVector a = FloatVector.broadcast(SPECIES, 0.999999f);
        FloatVector b = FloatVector.broadcast(SPECIES, 1e-6f);
        FloatVector c0 = FloatVector.broadcast(SPECIES, 1f + seed);
        FloatVector c1 = c0.add(1f);
        FloatVector c2 = c0.add(2f);
        FloatVector c3 = c0.add(3f);
        FloatVector c4 = c0.add(4f);
        FloatVector c5 = c0.add(5f);
        FloatVector c6 = c0.add(6f);
        FloatVector c7 = c0.add(7f);
        FloatVector c8 = c0.add(8f);
        FloatVector c9 = c0.add(9f);
        FloatVector c10 = c0.add(10f);
        FloatVector c11 = c0.add(11f);
        for (int i = 0; i < iters; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
