package io.cnn4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The forward pass of a convolution as a GEMM whose A operand is never written: the im2col row of
 * an output pixel is read straight from the (zero-padded) NHWC image through a table of offsets,
 * one per (dy, dx, c) in the column order of {@link Im2Col}; no Keras counterpart. The micro-kernel
 * is {@link VectorGemm}'s: six output pixels × two vectors of filters in twelve accumulators, one
 * broadcast of an input value and two FMAs per pixel and k step.
 *
 * <p>Why: for a first layer (C = 1 or 3) the im2col copy writes 9·C floats per pixel in runs of C
 * and the GEMM on it is short in k, so the copy costs about as much as the multiply. Reading in
 * place removes it.
 *
 * <p>Same bits as im2col + {@link VectorGemm}: each output element is one FMA chain over k in the
 * same order, starting from zero, and padding cells are zeros of the padded copy just as im2col
 * writes them (checked by {@code DirectConvolutionTest} and the Conv2D CRC fixture).
 *
 * <p>Do not reference this class unless {@link VectorGemmProvider#isAvailable()} says so: it links
 * against {@code jdk.incubator.vector}.
 */
public final class VectorDirectConv {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();
    /** Output pixels per micro-kernel call. */
    public static final int MR = 6;
    /** Filters per micro-kernel call (a panel of the packed kernel): two vectors. */
    public static final int NR = 2 * VL;

    private final int channels, filters, kernelH, kernelW, strideH, strideW, outW, pixels, k, panels;
    /** Offset of each (dy, dx, c) of the kernel in the source image, relative to the window's corner. */
    private final int[] offsets;
    /** Floats per row of the source image (its width · C). */
    private final int srcRow;

    /**
     * For one geometry, reading a source image {@code srcWidth} pixels wide (the padded width when
     * the caller pads).
     *
     * @param channels input channels C
     * @param filters  filters F
     * @param gh       geometry along the height
     * @param gw       geometry along the width
     * @param srcWidth width in pixels of the image the kernel reads
     */
    public VectorDirectConv(int channels, int filters, ConvGeometry gh, ConvGeometry gw, int srcWidth) {
        this.channels = channels;
        this.filters = filters;
        this.kernelH = gh.kernel();
        this.kernelW = gw.kernel();
        this.strideH = gh.stride();
        this.strideW = gw.stride();
        this.outW = gw.out();
        this.pixels = gh.out() * gw.out();
        this.k = kernelH * kernelW * channels;
        this.panels = (filters + NR - 1) / NR;
        this.srcRow = srcWidth * channels;
        this.offsets = new int[k];
        int p = 0;
        for (int dy = 0; dy < kernelH; dy++) {
            for (int dx = 0; dx < kernelW; dx++) {
                for (int c = 0; c < channels; c++) {
                    offsets[p++] = dy * srcRow + dx * channels + c;
                }
            }
        }
    }

    /** Floats of the packed kernel: panels of NR filters, zero-filled past F. */
    public int packedSize() {
        return panels * k * NR;
    }

    /** Floats of the edge tile a caller passes to {@link #forward}. */
    public static int tileSize() {
        return MR * NR;
    }

    // kernel (kh, kw, C, F) -> packed (panels, k, NR), zeros past F
    public void pack(float[] kernel, float[] packed) {
        java.util.Arrays.fill(packed, 0, packedSize(), 0f);
        for (int panel = 0; panel < panels; panel++) {
            int j0 = panel * NR, cols = Math.min(NR, filters - j0);
            for (int p = 0; p < k; p++) {
                System.arraycopy(kernel, p * filters + j0, packed, (panel * k + p) * NR, cols);
            }
        }
    }

    // src: one image (H', W', C) at srcOff, already padded -> y rows of output pixels [q0, q1): (q1 − q0, F) at yOff + q0·F
    public void forward(float[] src, int srcOff, float[] packed, int q0, int q1, float[] y, int yOff, float[] tile) {
        forward(src, srcOff, packed, q0, q1, y, yOff, tile, null);
    }

    // as above, with epilogue (when not null) on each block of six pixels right after its panels
    public void forward(float[] src, int srcOff, float[] packed, int q0, int q1, float[] y, int yOff, float[] tile, ConvEpilogue epilogue) {
        for (int q = q0; q < q1; q += MR) {
            int rows = Math.min(MR, q1 - q);
            int a0 = base(srcOff, q), a1 = base(srcOff, q + Math.min(1, rows - 1)), a2 = base(srcOff, q + Math.min(2, rows - 1));
            int a3 = base(srcOff, q + Math.min(3, rows - 1)), a4 = base(srcOff, q + Math.min(4, rows - 1));
            int a5 = base(srcOff, q + Math.min(5, rows - 1));
            for (int panel = 0; panel < panels; panel++) {
                int j0 = panel * NR, cols = Math.min(NR, filters - j0);
                int yIdx = yOff + q * filters + j0;
                if (rows == MR && cols == NR) {
                    micro(src, a0, a1, a2, a3, a4, a5, packed, panel * k * NR, y, yIdx, filters);
                } else {
                    // an edge block goes through the tile, so the kernel never writes past y's rows or filters
                    micro(src, a0, a1, a2, a3, a4, a5, packed, panel * k * NR, tile, 0, NR);
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(tile, r * NR, y, yIdx + r * filters, cols);
                    }
                }
            }
            if (epilogue != null) {
                epilogue.apply(y, yOff + q * filters, rows, filters);
            }
        }
    }

    /** Index in the source of the window corner of output pixel q. */
    private int base(int srcOff, int q) {
        int oh = q / outW, ow = q - oh * outW;
        return srcOff + oh * strideH * srcRow + ow * strideW * channels;
    }

    /** Six pixels (window corners a0..a5) × one panel: twelve FMA chains over k from zero, stored to out. */
    private void micro(float[] x, int a0, int a1, int a2, int a3, int a4, int a5, float[] pb, int bOff, float[] out, int oIdx, int ldo) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        int[] offs = offsets;
        for (int p = 0; p < offs.length; p++) {
            int bi = bOff + p * NR;
            int o = offs[p];
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + VL);
            FloatVector av = FloatVector.broadcast(SPECIES, x[a0 + o]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, x[a1 + o]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, x[a2 + o]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, x[a3 + o]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, x[a4 + o]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, x[a5 + o]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        c00.intoArray(out, oIdx);
        c01.intoArray(out, oIdx + VL);
        c10.intoArray(out, oIdx + ldo);
        c11.intoArray(out, oIdx + ldo + VL);
        c20.intoArray(out, oIdx + 2 * ldo);
        c21.intoArray(out, oIdx + 2 * ldo + VL);
        c30.intoArray(out, oIdx + 3 * ldo);
        c31.intoArray(out, oIdx + 3 * ldo + VL);
        c40.intoArray(out, oIdx + 4 * ldo);
        c41.intoArray(out, oIdx + 4 * ldo + VL);
        c50.intoArray(out, oIdx + 5 * ldo);
        c51.intoArray(out, oIdx + 5 * ldo + VL);
    }

    /** Output pixels of one image. */
    public int pixels() {
        return pixels;
    }

    /** Whether {@link #kernelGradient} applies: every filter panel is whole (F a multiple of NR). */
    public boolean wholePanels() {
        return filters % NR == 0;
    }

    /** Output pixels per chunk of {@link #kernelGradient}: the chunk's output gradient (pixels × F) stays in L2. */
    private int gradientChunk() {
        return Math.max(MR, (1 << 16) / filters);
    }

    // src: one image (H', W', C) at srcOff, already padded; dz: its output gradient (OH·OW, F) at dzOff
    //   -> dw (kh·kw·C, F) += windowsᵀ · dz, over the image's pixels in order
    /**
     * The kernel gradient of one image added to {@code dw}, with the bits of im2col + {@link VectorGemm}
     * ({@code colsᵀ · dz} accumulated into dw chunk after chunk): each dw element is one FMA chain
     * over the output pixels in order, continuing from dw's value. Needs {@link #wholePanels()}.
     *
     * @param src   the padded image
     * @param srcOff its first float
     * @param dz    output gradient of the batch
     * @param dzOff this image's first float in dz
     * @param dw    kernel gradient (kh·kw·C, F), added to
     * @param tile  MR·NR floats of scratch
     */
    public void kernelGradient(float[] src, int srcOff, float[] dz, int dzOff, float[] dw, float[] tile) {
        int chunk = gradientChunk();
        for (int q0 = 0; q0 < pixels; q0 += chunk) {
            int q1 = Math.min(pixels, q0 + chunk);
            for (int p = 0; p < k; p += MR) {
                int rows = Math.min(MR, k - p);
                int o0 = offsets[p], o1 = offsets[p + Math.min(1, rows - 1)], o2 = offsets[p + Math.min(2, rows - 1)];
                int o3 = offsets[p + Math.min(3, rows - 1)], o4 = offsets[p + Math.min(4, rows - 1)], o5 = offsets[p + Math.min(5, rows - 1)];
                for (int j0 = 0; j0 < filters; j0 += NR) {
                    int cIdx = p * filters + j0;
                    if (rows == MR) {
                        microGradient(src, srcOff, o0, o1, o2, o3, o4, o5, dz, dzOff + j0, q0, q1, dw, cIdx, filters);
                    } else {
                        // the last rows of dw go through the tile, so the kernel never touches dw out of range
                        java.util.Arrays.fill(tile, 0, MR * NR, 0f);
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(dw, cIdx + r * filters, tile, r * NR, NR);
                        }
                        microGradient(src, srcOff, o0, o1, o2, o3, o4, o5, dz, dzOff + j0, q0, q1, tile, 0, NR);
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(tile, r * NR, dw, cIdx + r * filters, NR);
                        }
                    }
                }
            }
        }
    }

    /**
     * Six kernel rows (window offsets o0..o5) × one panel of filters: twelve FMA chains over the
     * output pixels [q0, q1), continuing from out.
     */
    private void microGradient(float[] x, int srcOff, int o0, int o1, int o2, int o3, int o4, int o5, float[] dz, int dzCol,
                               int q0, int q1, float[] out, int oIdx, int ldo) {
        FloatVector c00 = FloatVector.fromArray(SPECIES, out, oIdx);
        FloatVector c01 = FloatVector.fromArray(SPECIES, out, oIdx + VL);
        FloatVector c10 = FloatVector.fromArray(SPECIES, out, oIdx + ldo);
        FloatVector c11 = FloatVector.fromArray(SPECIES, out, oIdx + ldo + VL);
        FloatVector c20 = FloatVector.fromArray(SPECIES, out, oIdx + 2 * ldo);
        FloatVector c21 = FloatVector.fromArray(SPECIES, out, oIdx + 2 * ldo + VL);
        FloatVector c30 = FloatVector.fromArray(SPECIES, out, oIdx + 3 * ldo);
        FloatVector c31 = FloatVector.fromArray(SPECIES, out, oIdx + 3 * ldo + VL);
        FloatVector c40 = FloatVector.fromArray(SPECIES, out, oIdx + 4 * ldo);
        FloatVector c41 = FloatVector.fromArray(SPECIES, out, oIdx + 4 * ldo + VL);
        FloatVector c50 = FloatVector.fromArray(SPECIES, out, oIdx + 5 * ldo);
        FloatVector c51 = FloatVector.fromArray(SPECIES, out, oIdx + 5 * ldo + VL);
        int oh = q0 / outW, ow = q0 - oh * outW;
        for (int q = q0; q < q1; q++) {
            int a = srcOff + oh * strideH * srcRow + ow * strideW * channels;
            int bi = dzCol + q * filters;
            FloatVector b0 = FloatVector.fromArray(SPECIES, dz, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, dz, bi + VL);
            FloatVector av = FloatVector.broadcast(SPECIES, x[a + o0]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, x[a + o1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, x[a + o2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, x[a + o3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, x[a + o4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, x[a + o5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            if (++ow == outW) {
                ow = 0;
                oh++;
            }
        }
        c00.intoArray(out, oIdx);
        c01.intoArray(out, oIdx + VL);
        c10.intoArray(out, oIdx + ldo);
        c11.intoArray(out, oIdx + ldo + VL);
        c20.intoArray(out, oIdx + 2 * ldo);
        c21.intoArray(out, oIdx + 2 * ldo + VL);
        c30.intoArray(out, oIdx + 3 * ldo);
        c31.intoArray(out, oIdx + 3 * ldo + VL);
        c40.intoArray(out, oIdx + 4 * ldo);
        c41.intoArray(out, oIdx + 4 * ldo + VL);
        c50.intoArray(out, oIdx + 5 * ldo);
        c51.intoArray(out, oIdx + 5 * ldo + VL);
    }
}
