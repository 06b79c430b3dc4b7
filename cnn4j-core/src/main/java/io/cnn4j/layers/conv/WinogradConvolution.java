package io.cnn4j.layers.conv;

import io.cnn4j.kernels.ConvEpilogue;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.MaxUpdate;
import io.cnn4j.kernels.Parallel;
import io.cnn4j.kernels.WinogradConv3x3;
import io.cnn4j.model.MemoryBudget;

import java.util.Arrays;

/**
 * A 3×3, stride-1 convolution by Winograd F(2×2, 3×3) ({@link WinogradConv3x3}), whole images per
 * worker as in {@link Im2ColBlockedConvolution}; no Keras counterpart (Keras' {@code Conv2D}
 * leaves the algorithm to its backend). Needs one-thread GEMMs.
 *
 * <p>Forward transforms the kernel once per call into U (16, C, F); backward reuses that U (the
 * weights have not changed since) and sums each worker's kernel gradient in the transformed domain
 * dU, then the workers' dU in worker order, then takes it back to the kernel's shape once: the
 * same bits at a fixed thread count.
 *
 * <p>U is not cached between inference calls: weights are written in place through
 * {@code Parameter.value()} by optimizers, weight loaders and importers alike, with no hook that
 * says when they changed, so a cache could serve a stale U. The transform costs about 50·C·F
 * memory operations against 32·N·tiles·C·F flops of GEMMs (under 1% for one 28×28 image).
 */
public final class WinogradConvolution implements ConvolutionAlgorithm {
    private final ConvolutionShape shape;
    private final Parallel parallel;
    private final WinogradConv3x3 winograd;
    private final Gemm[] workerGemm;
    private final WinogradConv3x3.Workspace[] workspace;
    /** Each worker's dU (16, C, F). */
    private final float[][] workerKernelGrad;
    /** U of the kernel of the last forward (16, C, F), and its transpose (16, F, C) for the input gradient. */
    private final float[] transformedKernel;
    private final float[] transformedKernelT;

    // operands of the loop bodies, set right before each parallel loop (method references made once)
    private float[] opX;
    private float[] opY;
    private float[] opDy;
    private float[] opDx;
    private int opImage;
    private ConvEpilogue opEpilogue;
    private MaxUpdate opMaxUpdate;
    private final Parallel.PartRange forwardBody = this::forwardPart;
    private final Parallel.PartRange forwardTilesBody = this::forwardTilesPart;
    private final Parallel.PartRange backwardBody = this::backwardPart;
    private final Parallel.PartRange pooledBody = this::pooledPart;

    /**
     * For this shape on the given workers, with one one-thread GEMM per worker.
     *
     * @param shape    a convolution with a 3×3 kernel and stride 1 ({@link #applies})
     * @param gemm     a backend whose {@link Gemm#forOneThread()} is not null
     * @param parallel the layer's workers
     */
    public WinogradConvolution(ConvolutionShape shape, Gemm gemm, Parallel parallel) {
        this(shape, gemm, null, parallel);
    }

    /** As above, with worker 0's one-thread GEMM already made (null: make it here). */
    WinogradConvolution(ConvolutionShape shape, Gemm gemm, Gemm first, Parallel parallel) {
        if (!applies(shape)) {
            throw new IllegalArgumentException("Winograd F(2x2,3x3) needs a 3x3 kernel with stride 1, got " + shape.gh() + ", " + shape.gw());
        }
        this.shape = shape;
        this.parallel = parallel;
        int t = parallel.threads();
        workerGemm = ConvolutionAlgorithms.oneThreadGemms(gemm, first, t, "winograd");
        winograd = new WinogradConv3x3(shape.channels(), shape.filters(), shape.gh(), shape.gw(), gemm.tuning().winogradChunkFloats());
        workspace = new WinogradConv3x3.Workspace[t];
        workerKernelGrad = new float[t][];
        for (int i = 0; i < t; i++) {
            workspace[i] = winograd.newWorkspace();
            workerKernelGrad[i] = new float[winograd.transformedKernelSize()];
        }
        transformedKernel = new float[winograd.transformedKernelSize()];
        transformedKernelT = new float[winograd.transformedKernelSize()];
    }

    /**
     * Whether this algorithm can compute the shape: a 3×3 kernel with stride 1 along both axes.
     *
     * @param shape the convolution
     * @return true when it applies
     */
    public static boolean applies(ConvolutionShape shape) {
        return WinogradConv3x3.applies(shape.gh(), shape.gw());
    }

    /**
     * Floats an instance allocates for this shape and thread count, without making one.
     *
     * @param shape       a convolution it applies to
     * @param threads     the workers
     * @param chunkFloats the Winograd chunk budget ({@link io.cnn4j.kernels.KernelTuning#winogradChunkFloats})
     * @return the floats, saturating
     */
    public static long workspaceFloats(ConvolutionShape shape, int threads, int chunkFloats) {
        long t = Math.max(1, threads);
        long u = MemoryBudget.count(16, shape.channels(), shape.filters());
        long perWorker = MemoryBudget.add(WinogradConv3x3.workspaceFloats(shape.channels(), shape.filters(), shape.gh(), shape.gw(), chunkFloats), u);
        // per worker: tiles, padded copies and dU; once: U, Uᵀ and the kernel transforms' (12, C, F) scratch
        return MemoryBudget.add(MemoryBudget.mul(t, perWorker), MemoryBudget.add(MemoryBudget.mul(2, u), MemoryBudget.count(12, shape.channels(), shape.filters())));
    }

    @Override
    public String name() {
        return "winograd";
    }

    @Override
    public ConvolutionShape shape() {
        return shape;
    }

    @Override
    public int minImages() {
        return parallel.threads();
    }

    @Override
    public long workspaceFloats() {
        return workspaceFloats(shape, parallel.threads(), winograd.chunkFloats());
    }

    @Override
    public long bufferFloatsPerSample(boolean training) {
        return 0;
    }

    // x: (N, H, W, C), kernel (3, 3, C, F) -> y: (N, OH, OW, F)
    @Override
    public void forward(float[] x, int n, float[] kernel, float[] y) {
        forward(x, n, kernel, y, null);
    }

    @Override
    public boolean fusesEpilogue() {
        return true;
    }

    // x: (N, H, W, C), kernel (3, 3, C, F) -> y: (N, OH, OW, F), epilogue (when not null) on each tile's pixels as they are written
    @Override
    public void forward(float[] x, int n, float[] kernel, float[] y, ConvEpilogue epilogue) {
        overImages(x, n, kernel, y, epilogue, null, forwardBody);
    }

    /** U of the kernel, then {@code body} over the n images, each to whichever worker is free (each image's output is its own, whoever computes it). */
    private void overImages(float[] x, int n, float[] kernel, float[] y, ConvEpilogue epilogue, MaxUpdate maxUpdate, Parallel.PartRange body) {
        winograd.transformKernel(kernel, transformedKernel);
        opX = x;
        opY = y;
        opEpilogue = epilogue;
        opMaxUpdate = maxUpdate;
        parallel.forPartsDynamic(n, 1, body);
        opX = opY = null;
        opEpilogue = null;
        opMaxUpdate = null;
    }

    // x: (N, H, W, C), kernel (3, 3, C, F) -> pooled: (N, OH / 2, OW / 2, F), the 2×2 max of each full tile after the epilogue
    @Override
    public boolean forwardMaxPooled(float[] x, int n, float[] kernel, float[] pooled, ConvEpilogue epilogue, MaxUpdate maxUpdate) {
        if (n < minImages()) {
            return false;
        }
        overImages(x, n, kernel, pooled, epilogue, maxUpdate, pooledBody);
        return true;
    }

    // images [from, to) of opX: (N, H, W, C) -> opY: (N, OH / 2, OW / 2, F)
    private void pooledPart(int part, int from, int to) {
        int inItem = shape.inputItem(), pooledItem = (shape.gh().out() / 2) * (shape.gw().out() / 2) * shape.filters();
        for (int b = from; b < to; b++) {
            winograd.forwardMaxPooled(workerGemm[part], workspace[part], opX, b * inItem, transformedKernel, opY, b * pooledItem,
                    opEpilogue, opMaxUpdate);
        }
    }

    // x: (N, H, W, C), N < workers -> y: (N, OH, OW, F); each image's tiles split over the workers
    @Override
    public boolean forwardFewImages(float[] x, int n, float[] kernel, float[] y) {
        return forwardFewImages(x, n, kernel, y, null);
    }

    // as above, epilogue (when not null) on each tile's pixels as they are written
    @Override
    public boolean forwardFewImages(float[] x, int n, float[] kernel, float[] y, ConvEpilogue epilogue) {
        winograd.transformKernel(kernel, transformedKernel);
        opX = x;
        opY = y;
        opEpilogue = epilogue;
        for (int b = 0; b < n; b++) {
            opImage = b;
            parallel.forPartsDynamic(winograd.tiles(), fewImagesGrain(winograd.tiles(), parallel.threads()), forwardTilesBody);
        }
        opX = opY = null;
        opEpilogue = null;
        return true;
    }

    /**
     * Tiles per chunk when one image's tiles are shared out: about four chunks per worker, so a
     * worker slowed by its neighbours hands work to the other, in whole six-tile register blocks.
     */
    static int fewImagesGrain(int units, int threads) {
        int perChunk = (units + 4 * threads - 1) / (4 * threads);
        return Math.max(6, (perChunk + 5) / 6 * 6);
    }

    // tiles [from, to) of image opImage of opX -> its output blocks in opY
    private void forwardTilesPart(int part, int from, int to) {
        winograd.forwardTiles(workerGemm[part], workspace[part], opX, opImage * shape.inputItem(), transformedKernel,
                opY, opImage * shape.outputItem(), from, to, opEpilogue);
    }

    // images [from, to) of opX: (N, H, W, C) -> opY: (N, OH, OW, F)
    private void forwardPart(int part, int from, int to) {
        int inItem = shape.inputItem(), outItem = shape.outputItem();
        for (int b = from; b < to; b++) {
            winograd.forward(workerGemm[part], workspace[part], opX, b * inItem, transformedKernel, opY, b * outItem, opEpilogue);
        }
    }

    // dz: (N, OH, OW, F) -> kernelGrad += dW, dx: (N, H, W, C) overwritten when not null; U from the last forward
    @Override
    public void backward(float[] x, int n, float[] dz, float[] kernel, float[] kernelGrad, float[] dx) {
        int parts = Math.min(parallel.threads(), n);
        if (dx != null) {
            // U of the kernel the forward pass used (the weights have not changed since)
            winograd.transposeKernel(transformedKernel, transformedKernelT);
        }
        opX = x;
        opDy = dz;
        opDx = dx;
        parallel.forParts(n, backwardBody);
        opX = opDy = opDx = null;
        // the workers' dU summed in worker order into worker 0's, then taken back to the kernel's shape
        float[] into = workerKernelGrad[0];
        for (int t = 1; t < parts; t++) {
            float[] du = workerKernelGrad[t];
            for (int i = 0; i < into.length; i++) {
                into[i] += du[i];
            }
        }
        winograd.kernelGradient(into, kernelGrad);
    }

    // images [from, to) of opDy: (N, OH, OW, F) -> this worker's dU (16, C, F) and, when wanted, opDx (overwritten)
    private void backwardPart(int part, int from, int to) {
        int inItem = shape.inputItem(), outItem = shape.outputItem();
        float[] du = workerKernelGrad[part];
        Arrays.fill(du, 0f);
        for (int b = from; b < to; b++) {
            winograd.backward(workerGemm[part], workspace[part], opX, b * inItem, opDy, b * outItem, du,
                    transformedKernelT, opDx, b * inItem);
        }
    }
}
