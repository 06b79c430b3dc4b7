package io.cnn4j.layers.conv;

import io.cnn4j.kernels.ConvEpilogue;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.Parallel;
import io.cnn4j.kernels.VectorDirectConv;
import io.cnn4j.model.MemoryBudget;

/**
 * A convolution whose forward pass reads each output pixel's window straight from the image
 * ({@link VectorDirectConv}: im2col + GEMM without the im2col copy), and so does the kernel
 * gradient when no input gradient is wanted (a first layer), otherwise backward is
 * {@link Im2ColBlockedConvolution}'s; no Keras counterpart (Keras' {@code Conv2D} leaves the
 * algorithm to its backend). Whole images per worker; a prediction on fewer images than workers
 * splits each image's pixels over them.
 *
 * <p>For the layers where the copy is most of the work: few input channels (the first layer,
 * C = 1 or 3), where im2col writes kh·kw·C floats per pixel in runs of C for a GEMM of depth
 * kh·kw·C. Forward outputs have the same bits as the im2col path (same FMA chains, same order,
 * padding as zeros of a padded copy), so choosing it changes no result, only the time.
 *
 * <p>Only with the vector backend (the caller checks): the kernel links against
 * {@code jdk.incubator.vector}.
 */
public final class DirectConvolution implements ConvolutionAlgorithm {
    private final ConvolutionShape shape;
    private final Parallel parallel;
    private final VectorDirectConv kernelLoop;
    private final Im2ColBlockedConvolution backwardPath;
    /** True when the image must be copied into a zero-padded buffer first ("same" padding). */
    private final boolean padded;
    private final int paddedHeight, paddedWidth;
    /** Per worker: the padded image (when padded) and the edge tile. */
    private final float[][] workerPadded;
    private final float[][] workerTile;
    /** The kernel in panels of filters, packed once per forward call. */
    private final float[] packedKernel;

    // operands of the loop bodies, set right before each parallel loop (method references made once)
    private float[] opX;
    private float[] opY;
    private float[] opSrc;
    private int opSrcOff;
    private int opImage;
    private ConvEpilogue opEpilogue;
    private final Parallel.PartRange imagesBody = this::imagesPart;
    private final Parallel.PartRange pixelsBody = this::pixelsPart;
    private final Parallel.PartRange gradientBody = this::gradientPart;
    private float[] opDy;
    /** Per worker: its kernel gradient (kh·kw·C, F), allocated on the first backward without input gradient. */
    private final float[][] workerKernelGrad;

    /**
     * For this shape on the given workers.
     *
     * @param shape    the convolution
     * @param gemm     the vector backend
     * @param parallel the layer's workers
     */
    public DirectConvolution(ConvolutionShape shape, Gemm gemm, Parallel parallel) {
        this(shape, gemm, null, parallel);
    }

    /**
     * As above, with worker 0's one-thread GEMM already made.
     *
     * @param shape    the convolution
     * @param gemm     the vector backend (its one-thread GEMMs do the backward pass)
     * @param first    worker 0's one-thread GEMM already made, or null
     * @param parallel the layer's workers
     */
    DirectConvolution(ConvolutionShape shape, Gemm gemm, Gemm first, Parallel parallel) {
        this.shape = shape;
        this.parallel = parallel;
        this.backwardPath = new Im2ColBlockedConvolution(shape, gemm, first, parallel);
        int[] hw = paddedSize(shape);
        paddedHeight = hw[0];
        paddedWidth = hw[1];
        padded = hw[2] == 1;
        kernelLoop = new VectorDirectConv(shape.channels(), shape.filters(), shape.gh(), shape.gw(),
                padded ? paddedWidth : shape.gw().in());
        int t = parallel.threads();
        workerPadded = new float[t][];
        workerTile = new float[t][VectorDirectConv.tileSize()];
        for (int i = 0; i < t; i++) {
            workerPadded[i] = padded ? new float[paddedHeight * paddedWidth * shape.channels()] : null;
        }
        packedKernel = new float[kernelLoop.packedSize()];
        workerKernelGrad = new float[t][];
    }

    /** {padded height, padded width, 1 when a padded copy is needed else 0}: every window of every output pixel inside. */
    private static int[] paddedSize(ConvolutionShape s) {
        int h = Math.max(s.gh().in() + s.gh().padBefore(), (s.gh().out() - 1) * s.gh().stride() + s.gh().kernel());
        int w = Math.max(s.gw().in() + s.gw().padBefore(), (s.gw().out() - 1) * s.gw().stride() + s.gw().kernel());
        boolean inPlace = s.gh().padBefore() == 0 && s.gw().padBefore() == 0 && h == s.gh().in() && w == s.gw().in();
        return new int[]{h, w, inPlace ? 0 : 1};
    }

    /**
     * Floats an instance allocates for this shape and thread count beyond the im2col path it keeps
     * for backward ({@link Im2ColBlockedConvolution#workspaceFloats}), without making one.
     *
     * @param shape        the convolution
     * @param threads      the workers
     * @param vectorLength floats per vector of the machine (the panel width is two vectors)
     * @return the floats, saturating
     */
    static long extraFloats(ConvolutionShape shape, int threads, int vectorLength) {
        long t = Math.max(1, threads);
        int[] hw = paddedSize(shape);
        long nr = 2L * vectorLength;
        long paddedImage = hw[2] == 1 ? MemoryBudget.count(hw[0], hw[1], shape.channels()) : 0;
        // per worker: the padded image, the edge tile and the kernel gradient of the in-place backward
        long perWorker = MemoryBudget.add(MemoryBudget.add(paddedImage, 6 * nr), MemoryBudget.mul(shape.kernelVolume(), shape.filters()));
        long packed = MemoryBudget.mul((shape.filters() + nr - 1) / nr * nr, shape.kernelVolume());
        return MemoryBudget.add(MemoryBudget.mul(t, perWorker), packed);
    }

    @Override
    public String name() {
        return "direct";
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
        return MemoryBudget.add(Im2ColBlockedConvolution.workspaceFloats(shape, parallel.threads()),
                extraFloats(shape, parallel.threads(), VectorDirectConv.NR / 2));
    }

    @Override
    public long bufferFloatsPerSample(boolean training) {
        return 0;
    }

    // x: (N, H, W, C), kernel (kh, kw, C, F) -> y: (N, OH, OW, F)
    @Override
    public void forward(float[] x, int n, float[] kernel, float[] y) {
        forward(x, n, kernel, y, null);
    }

    @Override
    public boolean fusesEpilogue() {
        return true;
    }

    // x: (N, H, W, C), kernel (kh, kw, C, F) -> y: (N, OH, OW, F), epilogue (when not null) on each block of six pixels
    @Override
    public void forward(float[] x, int n, float[] kernel, float[] y, ConvEpilogue epilogue) {
        kernelLoop.pack(kernel, packedKernel);
        opX = x;
        opY = y;
        opEpilogue = epilogue;
        // images to whichever worker is free: each image's output is its own, whoever computes it
        parallel.forPartsDynamic(n, 1, imagesBody);
        opX = opY = null;
        opEpilogue = null;
    }

    // x: (N, H, W, C), N < workers -> y: (N, OH, OW, F); each image's pixels split over the workers
    @Override
    public boolean forwardFewImages(float[] x, int n, float[] kernel, float[] y) {
        return forwardFewImages(x, n, kernel, y, null);
    }

    // as above, epilogue (when not null) on each block of six pixels
    @Override
    public boolean forwardFewImages(float[] x, int n, float[] kernel, float[] y, ConvEpilogue epilogue) {
        kernelLoop.pack(kernel, packedKernel);
        opY = y;
        opEpilogue = epilogue;
        int blocks = (shape.pixels() + VectorDirectConv.MR - 1) / VectorDirectConv.MR;
        for (int b = 0; b < n; b++) {
            opImage = b;
            if (padded) {
                // one padded copy, read by every worker
                pad(x, b * shape.inputItem(), workerPadded[0]);
                opSrc = workerPadded[0];
                opSrcOff = 0;
            } else {
                opSrc = x;
                opSrcOff = b * shape.inputItem();
            }
            parallel.forPartsDynamic(blocks, Math.max(1, (blocks + 4 * parallel.threads() - 1) / (4 * parallel.threads())), pixelsBody);
        }
        opY = opSrc = null;
        opEpilogue = null;
        return true;
    }

    // images [from, to) of opX: (N, H, W, C) -> opY: (N, OH, OW, F)
    private void imagesPart(int part, int from, int to) {
        int pixels = shape.pixels(), outItem = shape.outputItem(), inItem = shape.inputItem();
        for (int b = from; b < to; b++) {
            if (padded) {
                pad(opX, b * inItem, workerPadded[part]);
                kernelLoop.forward(workerPadded[part], 0, packedKernel, 0, pixels, opY, b * outItem, workerTile[part], opEpilogue);
            } else {
                kernelLoop.forward(opX, b * inItem, packedKernel, 0, pixels, opY, b * outItem, workerTile[part], opEpilogue);
            }
        }
    }

    // blocks of six output pixels [from, to) of image opImage, read from opSrc -> its rows of opY
    private void pixelsPart(int part, int from, int to) {
        int q0 = Math.min(shape.pixels(), from * VectorDirectConv.MR), q1 = Math.min(shape.pixels(), to * VectorDirectConv.MR);
        if (q1 > q0) {
            kernelLoop.forward(opSrc, opSrcOff, packedKernel, q0, q1, opY, opImage * shape.outputItem(), workerTile[part], opEpilogue);
        }
    }

    // x: one image (H, W, C) at xOff -> into: (paddedHeight, paddedWidth, C), the image at (padTop, padLeft), zeros around
    private void pad(float[] x, int xOff, float[] into) {
        int c = shape.channels(), w = shape.gw().in(), h = shape.gh().in();
        int top = shape.gh().padBefore(), left = shape.gw().padBefore();
        java.util.Arrays.fill(into, 0f);
        for (int r = 0; r < h; r++) {
            System.arraycopy(x, xOff + r * w * c, into, ((r + top) * paddedWidth + left) * c, w * c);
        }
    }

    // dz: (N, OH, OW, F) -> kernelGrad += dW, dx: (N, H, W, C) overwritten when not null
    @Override
    public void backward(float[] x, int n, float[] dz, float[] kernel, float[] kernelGrad, float[] dx) {
        if (dx != null || !kernelLoop.wholePanels()) {
            backwardPath.backward(x, n, dz, kernel, kernelGrad, dx);
            return;
        }
        // the kernel gradient alone (a first layer): windows read in place, the same partition of
        // images over workers and the same sums as the im2col path, so the same bits
        int parts = Math.min(parallel.threads(), n);
        for (int t = 0; t < parts; t++) {
            if (workerKernelGrad[t] == null) {
                workerKernelGrad[t] = new float[shape.kernelSize()];
            }
        }
        opX = x;
        opDy = dz;
        parallel.forParts(n, gradientBody);
        opX = opDy = null;
        for (int t = 0; t < parts; t++) {
            float[] dw = workerKernelGrad[t];
            for (int i = 0; i < kernelGrad.length; i++) {
                kernelGrad[i] += dw[i];
            }
        }
    }

    // images [from, to) of opDy: (N, OH, OW, F) -> this worker's kernel gradient (kh·kw·C, F), from zero
    private void gradientPart(int part, int from, int to) {
        float[] dw = workerKernelGrad[part];
        java.util.Arrays.fill(dw, 0f);
        int inItem = shape.inputItem(), outItem = shape.outputItem();
        for (int b = from; b < to; b++) {
            if (padded) {
                pad(opX, b * inItem, workerPadded[part]);
                kernelLoop.kernelGradient(workerPadded[part], 0, opDy, b * outItem, dw, workerTile[part]);
            } else {
                kernelLoop.kernelGradient(opX, b * inItem, opDy, b * outItem, dw, workerTile[part]);
            }
        }
    }
}
