package io.cnn4j.kernels;

import java.util.Locale;

/**
 * How a {@code Conv2D} computes: {@link #IM2COL} (im2col + GEMM, any kernel), {@link #WINOGRAD}
 * (F(2×2, 3×3) where the kernel is 3×3 with stride 1, im2col elsewhere), {@link #DIRECT} (the
 * im2col GEMM reading the image in place, with the vector backend; im2col otherwise) or {@link #AUTO}, which
 * picks per layer by the rule measured on this library's shapes (see {@link #useWinograd}); no Keras counterpart.
 * Chosen by {@code cnn4j.conv} / {@code CNN4J_CONV}, default auto.
 */
public enum ConvAlgorithm {
    AUTO, IM2COL, WINOGRAD, DIRECT;

    public static final String PROPERTY = "cnn4j.conv";
    public static final String ENV = "CNN4J_CONV";
    /**
     * Fewest input channels for which auto takes Winograd: its 16 GEMMs have depth C, and below
     * this the GEMMs are too short to gain from the 2.25× fewer multiplications (measured: the
     * VGG-like net's first layer, C = 3, is slower with Winograd).
     */
    public static final int AUTO_MIN_CHANNELS = 16;

    /**
     * Largest im2col depth kh·kw·C for which auto reads the image in place ({@link #DIRECT}) rather
     * than copying it (im2col): where the copy, kh·kw·C floats per pixel in runs of C, costs about
     * as much as a GEMM that short (first layers, C = 1 or 3). Both give the same bits.
     */
    public static final int AUTO_DIRECT_MAX_DEPTH = 64;

    public static ConvAlgorithm parse(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("conv algorithm must be auto, im2col, winograd or direct, got '" + s + "'");
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "im2col" -> IM2COL;
            case "winograd" -> WINOGRAD;
            case "direct" -> DIRECT;
            default -> throw new IllegalArgumentException("conv algorithm must be auto, im2col, winograd or direct, got '" + s + "'");
        };
    }

    /**
     * Whether a convolution that is not done by Winograd reads the image in place under this
     * choice (given a backend that can: the vector one).
     *
     * @param depth the im2col depth kh·kw·C
     * @return true for direct, and for auto up to {@link #AUTO_DIRECT_MAX_DEPTH}
     */
    public boolean useDirect(int depth) {
        return switch (this) {
            case DIRECT -> true;
            case AUTO -> depth <= AUTO_DIRECT_MAX_DEPTH;
            case IM2COL, WINOGRAD -> false;
        };
    }

    /** The algorithm asked for by {@code cnn4j.conv} / {@code CNN4J_CONV}, auto when neither is set. */
    public static ConvAlgorithm requested() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(ENV);
        }
        if (v == null || v.isBlank()) {
            return AUTO;
        }
        try {
            return parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + "/" + ENV + ": " + e.getMessage());
        }
    }

    /** Whether a convolution of this geometry and channel count is done by Winograd under this choice. */
    public boolean useWinograd(ConvGeometry gh, ConvGeometry gw, int channels) {
        if (!WinogradConv3x3.applies(gh, gw)) {
            return false;
        }
        return switch (this) {
            case WINOGRAD -> true;
            case IM2COL, DIRECT -> false;
            case AUTO -> channels >= AUTO_MIN_CHANNELS;
        };
    }

    public String lower() {
        return name().toLowerCase(Locale.ROOT);
    }
}
