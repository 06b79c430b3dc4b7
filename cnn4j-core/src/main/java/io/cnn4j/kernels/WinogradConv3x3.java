package io.cnn4j.kernels;

import java.util.Arrays;

/**
 * A 3×3, stride-1 convolution of one NHWC image by Winograd's minimal filtering algorithm
 * F(2×2, 3×3) (Lavin &amp; Gray 2016, arXiv 1509.09308; no Keras counterpart): each 2×2 block of outputs comes from a 4×4
 * input tile d and the 3×3 kernel g as {@code Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A}. Summed over the
 * channels, the element-wise product becomes 16 independent GEMMs (tiles × C)·(C × F), one per
 * position ξ of the 4×4 transformed tile: 16 multiply-adds per tile, channel and filter instead of
 * the direct path's 36 (2.25× fewer).
 *
 * <p>Backward is the exact adjoint of this forward computation, not an approximation: the output
 * gradient goes through Aᵀ's transpose ({@code dM = A dY Aᵀ}), then the kernel gradient in the
 * transformed domain is {@code dU_ξ += V_ξᵀ · dM_ξ} (finished once per batch by
 * {@link #kernelGradient}, {@code dg = Gᵀ dU G}) and the input gradient is
 * {@code dV_ξ = dM_ξ · U_ξᵀ}, scattered back through B ({@code dd = B dV Bᵀ}).
 *
 * <p>The transforms only add, subtract and halve, so the error against the direct path is a few
 * float roundings (measured in the tests and by {@code cnn4j bench} against double precision); the GEMMs are short in k
 * (C = 32–64), so whether this beats im2col depends on the shapes and is measured, not assumed.
 *
 * <p>Tiles are done in chunks that keep V (16 × chunk × C) and M (16 × chunk × F) in L2. One
 * instance per layer geometry; its methods are thread-safe as long as each thread passes its own
 * {@link Workspace} and {@link Gemm}.
 *
 * <p>Layouts: image (H, W, C) and output (OH, OW, F) row-major NHWC; kernel g as Keras's
 * (3, 3, C, F); transformed kernel U and its gradient (16, C, F); U's transpose (16, F, C).
 */
public final class WinogradConv3x3 {
    /** Floats of V plus M per chunk by default: 512 KB, half a Zen 4 core's L2 (per CPU: {@link KernelTuning}). */
    static final int CHUNK_BUDGET = KernelTuning.DEFAULTS.winogradChunkFloats();

    /** Most tiles per run of the input transform: its columns' transforms (34 × 4 vectors) stay in L1. */
    static final int RUN_TILES = 16;
    /** Floats of a run's column transforms, for vectors of up to 64 floats (2048 bits). */
    static final int RUN_SCRATCH = (2 * RUN_TILES + 2) * 4 * 64;

    private final int height, width, channels, filters, outHeight, outWidth, padTop, padLeft;
    private final int tileRows, tileCols, tiles, chunk, chunkFloats;
    /** Height and width of the zero-padded image that every tile reads inside of. */
    private final int paddedHeight, paddedWidth;
    /** True when every tile lies inside the image as it is (valid padding, even output size). */
    private final boolean inPlace;
    /** (4, 3, C, F) between the two passes of the kernel transforms; those run on one thread at a time. */
    private final float[] kernelScratch;
    private final WinogradTileTransforms transforms;

    /** Per-thread buffers. */
    public static final class Workspace {
        final float[] v, m, padded, paddedGradient, scratch;
        /** The column transforms of a run of tiles ({@link WinogradTileTransforms#inputRun}). */
        final float[] runScratch;
        /** One output tile (2 × 2 × F) before it is max-pooled ({@link #forwardMaxPooled}). */
        final float[] tile;

        private Workspace(WinogradConv3x3 w) {
            v = new float[16 * w.chunk * w.channels];
            m = new float[16 * w.chunk * w.filters];
            padded = w.inPlace ? null : new float[w.paddedHeight * w.paddedWidth * w.channels];
            paddedGradient = w.inPlace ? null : new float[w.paddedHeight * w.paddedWidth * w.channels];
            // 16 vectors for the vector input-gradient transform: enough up to 2048-bit vectors
            scratch = new float[16 * 64];
            runScratch = new float[RUN_SCRATCH];
            tile = new float[4 * w.filters];
        }
    }

    /** A convolution of C input channels into F filters with the given geometry along each axis (kernel 3, stride 1). */
    public WinogradConv3x3(int channels, int filters, ConvGeometry gh, ConvGeometry gw) {
        this(channels, filters, gh, gw, WinogradTileTransforms.best());
    }

    /** As above, with the given per-tile transforms (scalar or vector). */
    public WinogradConv3x3(int channels, int filters, ConvGeometry gh, ConvGeometry gw, WinogradTileTransforms transforms) {
        this(channels, filters, gh, gw, transforms, CHUNK_BUDGET);
    }

    /** With the default transforms and V plus M of a chunk at most {@code chunkBudget} floats (see below). */
    public WinogradConv3x3(int channels, int filters, ConvGeometry gh, ConvGeometry gw, int chunkBudget) {
        this(channels, filters, gh, gw, WinogradTileTransforms.best(), chunkBudget);
    }

    /**
     * As above, with V plus M of a chunk of tiles at most {@code chunkBudget} floats: how many tiles
     * go through the 16 GEMMs at a time. It does not change the bits (each output element is the
     * same chain over the channels whatever the chunk), only how the chunk sits in the caches.
     */
    WinogradConv3x3(int channels, int filters, ConvGeometry gh, ConvGeometry gw, WinogradTileTransforms transforms, int chunkBudget) {
        this.transforms = transforms;
        if (!applies(gh, gw)) {
            throw new IllegalArgumentException("Winograd F(2x2,3x3) needs a 3x3 kernel with stride 1, got " + gh + ", " + gw);
        }
        this.height = gh.in();
        this.width = gw.in();
        this.channels = channels;
        this.filters = filters;
        this.outHeight = gh.out();
        this.outWidth = gw.out();
        this.padTop = gh.padBefore();
        this.padLeft = gw.padBefore();
        this.tileRows = (outHeight + 1) / 2;
        this.tileCols = (outWidth + 1) / 2;
        this.tiles = tileRows * tileCols;
        this.paddedHeight = 2 * tileRows + 2;
        this.paddedWidth = 2 * tileCols + 2;
        this.inPlace = padTop == 0 && padLeft == 0 && paddedHeight <= height && paddedWidth <= width;
        this.chunk = (int) chunkTiles(tiles, 16L * (channels + filters), chunkBudget);
        this.chunkFloats = chunkBudget;
        this.kernelScratch = new float[12 * channels * filters];
    }

    /** True for a 3×3 kernel with stride 1 along both axes (any padding). */
    public static boolean applies(ConvGeometry gh, ConvGeometry gw) {
        return gh.kernel() == 3 && gw.kernel() == 3 && gh.stride() == 1 && gw.stride() == 1 && gh.out() > 0 && gw.out() > 0;
    }

    /**
     * Floats of one {@link Workspace} for this convolution, computed without making one (for the
     * memory check before a layer is built).
     *
     * @param channels input channels C
     * @param filters  filters F
     * @param gh       geometry along the height (kernel 3, stride 1)
     * @param gw       geometry along the width
     * @return the floats {@link #newWorkspace()} allocates
     */
    public static long workspaceFloats(int channels, int filters, ConvGeometry gh, ConvGeometry gw) {
        return workspaceFloats(channels, filters, gh, gw, CHUNK_BUDGET);
    }

    /** As above, for a chunk budget of {@code chunkBudget} floats. */
    public static long workspaceFloats(int channels, int filters, ConvGeometry gh, ConvGeometry gw, int chunkBudget) {
        long tileRows = (gh.out() + 1) / 2, tileCols = (gw.out() + 1) / 2, tiles = tileRows * tileCols;
        long paddedHeight = 2 * tileRows + 2, paddedWidth = 2 * tileCols + 2;
        boolean inPlace = gh.padBefore() == 0 && gw.padBefore() == 0 && paddedHeight <= gh.in() && paddedWidth <= gw.in();
        long perTile = 16L * (channels + filters);
        long chunk = chunkTiles(tiles, perTile, chunkBudget);
        long padded = inPlace ? 0 : 2 * paddedHeight * paddedWidth * channels;
        return chunk * perTile + padded + 16 * 64 + RUN_SCRATCH + 4L * filters;
    }

    /** Tiles per chunk: a multiple of 6 (the GEMM's register block), at least 6, at most the image. */
    private static long chunkTiles(long tiles, long perTile, int chunkBudget) {
        return Math.min(tiles, Math.max(6, chunkBudget / perTile / 6 * 6));
    }

    /** The chunk budget this instance was made with (floats of V plus M). */
    public int chunkFloats() {
        return chunkFloats;
    }

    public Workspace newWorkspace() {
        return new Workspace(this);
    }

    /** Floats of the transformed kernel U (and of its gradient). */
    public int transformedKernelSize() {
        return 16 * channels * filters;
    }

    // g: (3, 3, C, F) -> u: (16, C, F) = G g Gᵀ.
    // Not to be run by two threads at once (it shares a scratch buffer with kernelGradient)
    public void transformKernel(float[] g, float[] u) {
        int cf = channels * filters;
        float[] t = kernelScratch;
        // G along the kernel's rows: (3, 3) -> (4, 3); G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
        for (int j = 0; j < 3; j++) {
            int g0 = j * cf, g1 = (3 + j) * cf, g2 = (6 + j) * cf;
            for (int e = 0; e < cf; e++) {
                float a = g[g0 + e], b = g[g1 + e], c = g[g2 + e];
                t[j * cf + e] = a;
                t[(3 + j) * cf + e] = 0.5f * (a + b + c);
                t[(6 + j) * cf + e] = 0.5f * (a - b + c);
                t[(9 + j) * cf + e] = c;
            }
        }
        // and along its columns: (4, 3) -> (4, 4)
        for (int i = 0; i < 4; i++) {
            int t0 = (3 * i) * cf, t1 = t0 + cf, t2 = t1 + cf, u0 = (4 * i) * cf;
            for (int e = 0; e < cf; e++) {
                float a = t[t0 + e], b = t[t1 + e], c = t[t2 + e];
                u[u0 + e] = a;
                u[u0 + cf + e] = 0.5f * (a + b + c);
                u[u0 + 2 * cf + e] = 0.5f * (a - b + c);
                u[u0 + 3 * cf + e] = c;
            }
        }
    }

    // u: (16, C, F) -> ut: (16, F, C), U_ξ transposed for the input gradient's GEMMs
    public void transposeKernel(float[] u, float[] ut) {
        int cf = channels * filters;
        for (int xi = 0; xi < 16; xi++) {
            int o = xi * cf;
            for (int c = 0; c < channels; c++) {
                for (int f = 0; f < filters; f++) {
                    ut[o + f * channels + c] = u[o + c * filters + f];
                }
            }
        }
    }

    // du: (16, C, F) -> dg: (3, 3, C, F) += Gᵀ dU G, the adjoint of transformKernel (one thread at a time)
    public void kernelGradient(float[] du, float[] dg) {
        int cf = channels * filters;
        float[] t = kernelScratch;
        // Gᵀ along the columns: (4, 4) -> (4, 3); Gᵀ maps (u0..u3) to (u0 + ½(u1+u2), ½(u1−u2), ½(u1+u2) + u3)
        for (int i = 0; i < 4; i++) {
            int u0 = (4 * i) * cf, t0 = (3 * i) * cf;
            for (int e = 0; e < cf; e++) {
                float a = du[u0 + e], b = du[u0 + cf + e], c = du[u0 + 2 * cf + e], d = du[u0 + 3 * cf + e];
                t[t0 + e] = a + 0.5f * (b + c);
                t[t0 + cf + e] = 0.5f * (b - c);
                t[t0 + 2 * cf + e] = 0.5f * (b + c) + d;
            }
        }
        // and along the rows: (4, 3) -> (3, 3)
        for (int j = 0; j < 3; j++) {
            int t0 = j * cf, t1 = (3 + j) * cf, t2 = (6 + j) * cf, t3 = (9 + j) * cf;
            for (int e = 0; e < cf; e++) {
                float a = t[t0 + e], b = t[t1 + e], c = t[t2 + e], d = t[t3 + e];
                dg[j * cf + e] += a + 0.5f * (b + c);
                dg[(3 + j) * cf + e] += 0.5f * (b - c);
                dg[(6 + j) * cf + e] += 0.5f * (b + c) + d;
            }
        }
    }

    // x: image (H, W, C) at xOff, u: (16, C, F) -> y: (OH, OW, F) at yOff, overwritten (no bias)
    public void forward(Gemm gemm, Workspace ws, float[] x, int xOff, float[] u, float[] y, int yOff) {
        forwardTiles(gemm, ws, x, xOff, u, y, yOff, 0, tiles, null);
    }

    /** As {@link #forward(Gemm, Workspace, float[], int, float[], float[], int)}, with {@code epilogue} (when not null) on each tile's outputs as they are written. */
    public void forward(Gemm gemm, Workspace ws, float[] x, int xOff, float[] u, float[] y, int yOff, ConvEpilogue epilogue) {
        forwardTiles(gemm, ws, x, xOff, u, y, yOff, 0, tiles, epilogue);
    }

    /**
     * The 2×2 output tiles of an image, row-major; {@link #forwardTiles} takes a range of them.
     *
     * @return the tile count
     */
    public int tiles() {
        return tiles;
    }

    /*
     * x: image (H, W, C) at xOff, u: (16, C, F) -> the output blocks of tiles [tileFrom, tileTo) of
     * y: (OH, OW, F) at yOff, overwritten (no bias). Each tile's output depends on its own input
     * only, and a GEMM row's result does not depend on the other rows of the call, so any split of
     * an image's tiles gives the same bits as the whole image at once.
     */
    public void forwardTiles(Gemm gemm, Workspace ws, float[] x, int xOff, float[] u, float[] y, int yOff, int tileFrom, int tileTo) {
        forwardTiles(gemm, ws, x, xOff, u, y, yOff, tileFrom, tileTo, null);
    }

    /** As above, with {@code epilogue} (when not null) on each tile's output pixels right after they are written. */
    public void forwardTiles(Gemm gemm, Workspace ws, float[] x, int xOff, float[] u, float[] y, int yOff, int tileFrom, int tileTo,
                             ConvEpilogue epilogue) {
        // the tiles are read from the image itself or from its zero-padded copy
        float[] src = inPlace ? x : pad(x, xOff, ws.padded);
        int srcOff = inPlace ? xOff : 0;
        int rowStride = (inPlace ? width : paddedWidth) * channels;
        for (int t0 = tileFrom; t0 < tileTo; t0 += chunk) {
            int t1 = Math.min(tileTo, t0 + chunk);
            transformedProducts(gemm, ws, src, srcOff, rowStride, u, t0, t1);
            outputTransform(ws, t0, t1, y, yOff, epilogue);
        }
    }

    // src: tiles t0..t1 of the (padded) image -> ws.m: (16, chunk, F) rows 0..t1-t0, M_ξ = V_ξ · U_ξ
    private void transformedProducts(Gemm gemm, Workspace ws, float[] src, int srcOff, int rowStride, float[] u, int t0, int t1) {
        inputTransform(src, srcOff, rowStride, t0, t1, ws);
        for (int xi = 0; xi < 16; xi++) {
            gemm.sgemm(false, false, t1 - t0, filters, channels, 1f, ws.v, xi * chunk * channels, channels,
                    u, xi * channels * filters, filters, 0f, ws.m, xi * chunk * filters, filters);
        }
    }

    /**
     * The forward pass followed by a 2×2, stride-2, valid max pooling, without writing the
     * convolution's output: each full 2×2 output tile goes straight to its pooled pixel, which then
     * gets {@code epilogue} (when not null). The pooled values have the bits of this forward followed by
     * {@code MaxPooling2D}'s inference pass: the same tile values, and the same window order and
     * rule (the first cell as is, a later one only when larger, {@link MaxUpdate}). A cropped edge
     * tile (odd output size) is the row or column valid pooling drops.
     *
     * x: image (H, W, C) at xOff, u: (16, C, F) -> pooled: (OH / 2, OW / 2, F) at pOff, overwritten
     */
    public void forwardMaxPooled(Gemm gemm, Workspace ws, float[] x, int xOff, float[] u, float[] pooled, int pOff,
                                 ConvEpilogue epilogue, MaxUpdate maxUpdate) {
        float[] src = inPlace ? x : pad(x, xOff, ws.padded);
        int srcOff = inPlace ? xOff : 0;
        int rowStride = (inPlace ? width : paddedWidth) * channels;
        for (int t0 = 0; t0 < tiles; t0 += chunk) {
            int t1 = Math.min(tiles, t0 + chunk);
            transformedProducts(gemm, ws, src, srcOff, rowStride, u, t0, t1);
            int pooledRows = outHeight / 2, pooledCols = outWidth / 2;
            float[] tile = ws.tile;
            for (int t = t0; t < t1; t++) {
                int ty = t / tileCols, tx = t - ty * tileCols;
                if (ty >= pooledRows || tx >= pooledCols) {
                    continue;
                }
                // the tile's pixels (0,0), (0,1), (1,0), (1,1), F floats each
                transforms.output(ws.m, (t - t0) * filters, chunk * filters, filters, tile, 0, 2 * filters, 2, 2);
                int o = pOff + (ty * pooledCols + tx) * filters;
                System.arraycopy(tile, 0, pooled, o, filters);
                maxUpdate.update(tile, filters, pooled, o, filters);
                maxUpdate.update(tile, 2 * filters, pooled, o, filters);
                maxUpdate.update(tile, 3 * filters, pooled, o, filters);
                // bias and ReLU on the pooled pixel rather than on its four: y ↦ fl(y + b) and
                // max(·, 0) never decrease, so the largest of the four after them is the largest
                // before them after them, bit for bit (NaN: the pooling rule skips a later NaN and
                // keeps a first one either way, and a NaN stays NaN through bias and ReLU)
                if (epilogue != null) {
                    epilogue.apply(pooled, o, 1, filters);
                }
            }
        }
    }

    /*
     * x: image (H, W, C) at xOff, dy: (OH, OW, F) at dyOff, gradient before bias/activation;
     * du: (16, C, F) += this image's kernel gradient in the transformed domain;
     * ut: (16, F, C); dx: (H, W, C) at dxOff overwritten when dx is not null
     */
    public void backward(Gemm gemm, Workspace ws, float[] x, int xOff, float[] dy, int dyOff, float[] du,
                         float[] ut, float[] dx, int dxOff) {
        // the tiles are read from the image itself or from its zero-padded copy
        float[] src = inPlace ? x : pad(x, xOff, ws.padded);
        int srcOff = inPlace ? xOff : 0;
        int rowStride = (inPlace ? width : paddedWidth) * channels;
        // the input gradient is summed over the overlapping tiles: in place when they lie in the
        // image, else in a padded frame whose image part is copied out at the end
        float[] acc = null;
        int accOff = 0;
        if (dx != null) {
            if (inPlace) {
                acc = dx;
                accOff = dxOff;
                Arrays.fill(dx, dxOff, dxOff + height * width * channels, 0f);
            } else {
                acc = ws.paddedGradient;
                Arrays.fill(acc, 0f);
            }
        }
        for (int t0 = 0; t0 < tiles; t0 += chunk) {
            int t1 = Math.min(tiles, t0 + chunk), nt = t1 - t0;
            inputTransform(src, srcOff, rowStride, t0, t1, ws);
            outputGradientTransform(dy, dyOff, t0, t1, ws);
            for (int xi = 0; xi < 16; xi++) {
                // dU_ξ (C × F) += V_ξᵀ (C × nt) · dM_ξ (nt × F)
                gemm.sgemm(true, false, channels, filters, nt, 1f, ws.v, xi * chunk * channels, channels,
                        ws.m, xi * chunk * filters, filters, 1f, du, xi * channels * filters, filters);
            }
            if (acc != null) {
                for (int xi = 0; xi < 16; xi++) {
                    // dV_ξ (nt × C) = dM_ξ (nt × F) · U_ξᵀ (F × C), into V's place (V is done with)
                    gemm.sgemm(false, false, nt, channels, filters, 1f, ws.m, xi * chunk * filters, filters,
                            ut, xi * filters * channels, channels, 0f, ws.v, xi * chunk * channels, channels);
                }
                inputGradientTransform(ws, t0, t1, acc, accOff, inPlace ? width * channels : rowStride);
            }
        }
        if (dx != null && !inPlace) {
            unpad(ws.paddedGradient, dx, dxOff);
        }
    }

    /** Copies the image into the zero-padded frame every tile lies in, and returns that frame. */
    private float[] pad(float[] x, int xOff, float[] padded) {
        Arrays.fill(padded, 0f);
        int rowLen = Math.min(width, paddedWidth - padLeft) * channels;
        for (int r = 0; r < height; r++) {
            int pr = r + padTop;
            if (pr >= paddedHeight) {
                break;
            }
            System.arraycopy(x, xOff + r * width * channels, padded, (pr * paddedWidth + padLeft) * channels, rowLen);
        }
        return padded;
    }

    /** The adjoint of {@link #pad}: the image's part of the padded gradient. */
    private void unpad(float[] padded, float[] dx, int dxOff) {
        int rowLen = Math.min(width, paddedWidth - padLeft) * channels;
        for (int r = 0; r < height; r++) {
            int pr = r + padTop;
            int o = dxOff + r * width * channels;
            if (pr >= paddedHeight) {
                // input rows no tile reads (valid padding, odd leftovers) get no gradient
                Arrays.fill(dx, o, o + width * channels, 0f);
                continue;
            }
            System.arraycopy(padded, (pr * paddedWidth + padLeft) * channels, dx, o, rowLen);
            Arrays.fill(dx, o + rowLen, o + width * channels, 0f);
        }
    }

    // src: the 4×4×C tiles t0..t1 -> ws.v: (16, chunk, C) rows 0..t1-t0, V = Bᵀ d B
    private void inputTransform(float[] src, int srcOff, int rowStride, int t0, int t1, Workspace ws) {
        // in runs of up to RUN_TILES tiles of one tile row: neighbours share two columns of input
        for (int t = t0; t < t1; ) {
            int ty = t / tileCols, tx = t - ty * tileCols;
            int run = Math.min(RUN_TILES, Math.min(t1 - t, tileCols - tx));
            transforms.inputRun(src, srcOff + 2 * ty * rowStride + 2 * tx * channels, rowStride, channels, run,
                    ws.v, (t - t0) * channels, chunk * channels, ws.runScratch);
            t += run;
        }
    }

    // ws.m: (16, chunk, F) -> y: the 2×2×F output blocks of tiles t0..t1 (cropped to the image), Y = Aᵀ M A
    private void outputTransform(Workspace ws, int t0, int t1, float[] y, int yOff, ConvEpilogue epilogue) {
        int yRow = outWidth * filters;
        for (int t = t0; t < t1; t++) {
            int ty = t / tileCols, tx = t - ty * tileCols;
            int oy = 2 * ty, ox = 2 * tx;
            int rows = Math.min(2, outHeight - oy), cols = Math.min(2, outWidth - ox);
            int at = yOff + oy * yRow + ox * filters;
            transforms.output(ws.m, (t - t0) * filters, chunk * filters, filters, y, at, yRow, rows, cols);
            if (epilogue != null) {
                // the tile's 2×2 pixels are still in L1: bias and activation now rather than in a pass over the whole output
                for (int r = 0; r < rows; r++) {
                    epilogue.apply(y, at + r * yRow, cols, filters);
                }
            }
        }
    }

    // dy: the 2×2×F blocks of tiles t0..t1 (zero outside the image) -> ws.m: (16, chunk, F), dM = A dY Aᵀ
    private void outputGradientTransform(float[] dy, int dyOff, int t0, int t1, Workspace ws) {
        int yRow = outWidth * filters;
        for (int t = t0; t < t1; t++) {
            int ty = t / tileCols, tx = t - ty * tileCols;
            int oy = 2 * ty, ox = 2 * tx;
            transforms.outputGradient(dy, dyOff + oy * yRow + ox * filters, yRow, filters, Math.min(2, outHeight - oy),
                    Math.min(2, outWidth - ox), ws.m, (t - t0) * filters, chunk * filters);
        }
    }

    // ws.v holding dV: (16, chunk, C) -> acc: the 4×4×C tiles t0..t1 += B dV Bᵀ
    private void inputGradientTransform(Workspace ws, int t0, int t1, float[] acc, int accOff, int rowStride) {
        for (int t = t0; t < t1; t++) {
            int ty = t / tileCols, tx = t - ty * tileCols;
            transforms.inputGradient(ws.v, (t - t0) * channels, chunk * channels, channels, acc,
                    accOff + 2 * ty * rowStride + 2 * tx * channels, rowStride, ws.scratch);
        }
    }
}
