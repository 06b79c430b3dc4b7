package io.cnn4j.kernels;

import java.util.List;

/**
 * The block sizes and the micro-kernel variant of the vector kernels for one CPU, as
 * {@link KernelTuner} measured them (or the defaults); no Keras counterpart. None of them changes a
 * result's bits, only how the operands sit in the caches and the registers: every output element is
 * the same FMA chain over k whatever the blocking (shown by {@code KernelTuningBitsTest}), so a
 * tuned and an untuned run of the same model agree bit for bit.
 *
 * @param gemmKc              depth of a packed B block in {@link VectorGemm} (its k loop runs in
 *                            equal blocks of at most this many)
 * @param gemmNc              columns of a packed B block in {@link VectorGemm}
 * @param winogradChunkFloats floats of V plus M per chunk of tiles in {@link WinogradConv3x3}
 * @param gemmRows            rows of C per micro-kernel block in {@link VectorGemm}: 6 (12
 *                            accumulator vectors, fits 16 vector registers) or 14 (28, needs 32)
 */
public record KernelTuning(int gemmKc, int gemmNc, int winogradChunkFloats, int gemmRows) {
    /**
     * The micro-kernel variants (rows of C per block): 14 rows only pays with 32 vector registers,
     * so {@link KernelTuner} measures it only where vectors are 16 floats (AVX-512). Declared
     * before {@link #DEFAULTS}, whose construction checks against it.
     */
    public static final List<Integer> ROWS_CANDIDATES = List.of(6, 14);
    /** The default micro-kernel variant, 6 rows: it fits 16 vector registers. */
    private static final int DEFAULT_ROWS = 6;

    /** The hand-set values used before per-CPU tuning (Zen 3/4/5 measurements of earlier sessions). */
    public static final KernelTuning DEFAULTS = new KernelTuning(320, 512, 1 << 17, DEFAULT_ROWS);

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
        if (!ROWS_CANDIDATES.contains(gemmRows)) {
            throw new IllegalArgumentException("kernel tuning: gemmRows must be one of " + ROWS_CANDIDATES + ", got " + gemmRows);
        }
    }

    /** Block sizes with the default 6-row micro-kernel. */
    public KernelTuning(int gemmKc, int gemmNc, int winogradChunkFloats) {
        this(gemmKc, gemmNc, winogradChunkFloats, DEFAULT_ROWS);
    }

    /** This tuning with another micro-kernel variant. */
    public KernelTuning withGemmRows(int rows) {
        return new KernelTuning(gemmKc, gemmNc, winogradChunkFloats, rows);
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("kernel tuning: " + name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /** The value of the knob named as in {@link KernelTuner.Timing#knob()} ("gemmKc", "gemmNc", "winogradChunkFloats", "gemmRows"). */
    public int value(String knob) {
        return switch (knob) {
            case "gemmKc" -> gemmKc;
            case "gemmNc" -> gemmNc;
            case "winogradChunkFloats" -> winogradChunkFloats;
            case "gemmRows" -> gemmRows;
            default -> throw new IllegalArgumentException("no kernel tuning knob '" + knob + "'");
        };
    }

    /** One line for logs and {@code cnn4j bench}: "GEMM 6-row kernel, kc 320, nc 512, Winograd chunk 131072 floats". */
    public String describe() {
        return "GEMM " + gemmRows + "-row kernel, kc " + gemmKc + ", nc " + gemmNc + ", Winograd chunk " + winogradChunkFloats + " floats";
    }
}
