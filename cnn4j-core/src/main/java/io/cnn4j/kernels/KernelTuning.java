package io.cnn4j.kernels;

import java.util.List;

/**
 * The block sizes of the vector kernels for one CPU, as {@link KernelTuner} measured them (or the
 * defaults); no Keras counterpart. None of them changes a result's bits, only how the operands sit
 * in the caches: every output element is the same FMA chain over k whatever the blocking (shown by
 * {@code KernelTuningBitsTest}), so a tuned and an untuned run of the same model agree bit for bit.
 *
 * @param gemmKc              depth of a packed B block in {@link VectorGemm} (its k loop runs in
 *                            equal blocks of at most this many)
 * @param gemmNc              columns of a packed B block in {@link VectorGemm}
 * @param winogradChunkFloats floats of V plus M per chunk of tiles in {@link WinogradConv3x3}
 */
public record KernelTuning(int gemmKc, int gemmNc, int winogradChunkFloats) {
    /** The hand-set values used before per-CPU tuning (Zen 3/4/5 measurements of earlier sessions). */
    public static final KernelTuning DEFAULTS = new KernelTuning(320, 512, 1 << 17);

    /** The candidates {@link KernelTuner} times for each block size (the defaults among them). */
    public static final List<Integer> KC_CANDIDATES = List.of(160, 256, 320, 448, 640);
    public static final List<Integer> NC_CANDIDATES = List.of(256, 512, 1024, 2048);
    public static final List<Integer> CHUNK_CANDIDATES = List.of(1 << 15, 1 << 16, 1 << 17, 1 << 18);
    /** The largest Winograd chunk a tuning may hold (a tuning file is refused beyond it): for memory bounds. */
    public static final int MAX_CHUNK_CANDIDATE = 1 << 18;

    /** Bounds a tuning file's values must lie in (larger would be a memory hazard, smaller useless). */
    static final int MIN_KC = 1, MAX_KC = 4096, MIN_NC = 1, MAX_NC = 16384, MIN_CHUNK = 1 << 12, MAX_CHUNK = MAX_CHUNK_CANDIDATE;

    public KernelTuning {
        check("gemmKc", gemmKc, MIN_KC, MAX_KC);
        check("gemmNc", gemmNc, MIN_NC, MAX_NC);
        check("winogradChunkFloats", winogradChunkFloats, MIN_CHUNK, MAX_CHUNK);
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("kernel tuning: " + name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /** The value of the knob named as in {@link KernelTuner.Timing#knob()} ("gemmKc", "gemmNc", "winogradChunkFloats"). */
    public int value(String knob) {
        return switch (knob) {
            case "gemmKc" -> gemmKc;
            case "gemmNc" -> gemmNc;
            case "winogradChunkFloats" -> winogradChunkFloats;
            default -> throw new IllegalArgumentException("no kernel tuning knob '" + knob + "'");
        };
    }

    /** One line for logs and {@code cnn4j bench}: "kc 320, nc 512, Winograd chunk 131072 floats". */
    public String describe() {
        return "GEMM kc " + gemmKc + ", nc " + gemmNc + ", Winograd chunk " + winogradChunkFloats + " floats";
    }
}
