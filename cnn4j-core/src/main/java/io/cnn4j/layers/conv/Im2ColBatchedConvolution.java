package io.cnn4j.layers.conv;

import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.Im2Col;
import io.cnn4j.kernels.Parallel;
import io.cnn4j.model.MemoryBudget;

import java.util.Arrays;

/**
 * im2col + GEMM over one column matrix per group of images, multiplied by the layer's multithreaded
 * GEMM; no Keras counterpart (Keras' {@code Conv2D} leaves this to its backend). The path for
 * backends without one-thread instances (OpenBLAS, whose threads are process-wide) and for batches
 * with fewer images than threads.
 *
 * <p>A group of G images becomes a (G·OH·OW) × (kh·kw·C) column matrix that multiplies the kernel
 * viewed as (kh·kw·C) × F, giving the NHWC output without a transpose. G is chosen so that the
 * column buffer stays near {@code COLUMN_BUDGET} (4M) floats, but at least one image per thread:
 * im2col and col2im then run one image per task on the workers, each image exactly as in a serial
 * loop. The column buffers grow with the batch (up to G images) and are then reused.
 */
public final class Im2ColBatchedConvolution implements ConvolutionAlgorithm {
    /** Floats per column buffer; big enough for efficient GEMMs, small enough to stay in memory. */
    static final int COLUMN_BUDGET = 1 << 22;

    private final ConvolutionShape shape;
    private final Gemm gemm;
    private final Parallel parallel;
    /** Images per column matrix. */
    private final int group;
    private float[] cols;
    private float[] dcols;

    // operands of the loop bodies, set right before each parallel loop (method references made once)
    private float[] opX;
    private float[] opDx;
    private float[] opCols;
    private int opFirst;
    private final Parallel.PartRange im2colBody = this::im2colPart;
    private final Parallel.PartRange col2imBody = this::col2imPart;

    /**
     * For this shape with the layer's (multithreaded) GEMM and workers.
     *
     * @param shape    the convolution
     * @param gemm     the layer's GEMM backend, any
     * @param parallel the layer's workers, for im2col and col2im
     */
    public Im2ColBatchedConvolution(ConvolutionShape shape, Gemm gemm, Parallel parallel) {
        this.shape = shape;
        this.gemm = gemm;
        this.parallel = parallel;
        this.group = (int) Math.max(parallel.threads(), COLUMN_BUDGET / Math.max(1L, (long) shape.pixels() * shape.kernelVolume()));
    }

    @Override
    public String name() {
        return "im2col";
    }

    @Override
    public ConvolutionShape shape() {
        return shape;
    }

    @Override
    public int minImages() {
        return 1;
    }

    @Override
    public long workspaceFloats() {
        return 0;
    }

    /** The im2col columns of one image, and their gradient in training. */
    @Override
    public long bufferFloatsPerSample(boolean training) {
        long columns = MemoryBudget.count(shape.gh().out(), shape.gw().out(), shape.gh().kernel(), shape.gw().kernel(), shape.channels());
        return training ? MemoryBudget.mul(2, columns) : columns;
    }

    // x: (N, H, W, C) -> y: (N, OH, OW, F)
    @Override
    public void forward(float[] x, int n, float[] kernel, float[] y) {
        int pixels = shape.pixels(), k = shape.kernelVolume(), filters = shape.filters();
        int g = Math.min(group, n);
        if (cols == null || cols.length < g * pixels * k) {
            cols = new float[g * pixels * k];
        }
        opX = x;
        opCols = cols;
        for (int start = 0; start < n; start += g) {
            int count = Math.min(g, n - start);
            opFirst = start;
            parallel.forParts(count, im2colBody);
            gemm.sgemm(false, false, count * pixels, filters, k, 1f, cols, 0, k, kernel, 0, filters,
                    0f, y, start * pixels * filters, filters);
        }
        opX = opCols = null;
    }

    // dz: (N, OH, OW, F) -> kernelGrad += dW, dx: (N, H, W, C) overwritten when not null
    @Override
    public void backward(float[] x, int n, float[] dz, float[] kernel, float[] kernelGrad, float[] dx) {
        int pixels = shape.pixels(), k = shape.kernelVolume(), filters = shape.filters();
        int g = Math.min(group, n);
        if (cols == null || cols.length < g * pixels * k) {
            cols = new float[g * pixels * k];
        }
        if (dx != null) {
            Arrays.fill(dx, 0f);
            if (dcols == null || dcols.length < g * pixels * k) {
                dcols = new float[g * pixels * k];
            }
        }
        opX = x;
        opDx = dx;
        for (int start = 0; start < n; start += g) {
            int count = Math.min(g, n - start);
            int rows = count * pixels;
            opFirst = start;
            opCols = cols;
            parallel.forParts(count, im2colBody);
            // dW (k × F) += colsᵀ (k × rows) · dz (rows × F)
            gemm.sgemm(true, false, k, filters, rows, 1f, cols, 0, k, dz, start * pixels * filters, filters,
                    1f, kernelGrad, 0, filters);
            if (dx != null) {
                // dcols (rows × k) = dz (rows × F) · Wᵀ (F × k)
                gemm.sgemm(false, true, rows, k, filters, 1f, dz, start * pixels * filters, filters, kernel, 0, filters,
                        0f, dcols, 0, k);
                // each image's dx is its own: images in parallel, each summed in the serial order
                opCols = dcols;
                parallel.forParts(count, col2imBody);
            }
        }
        opX = opDx = opCols = null;
    }

    // images opFirst + [from, to) of opX: (N, H, W, C) -> rows of the column matrix opCols, one image's pixels each
    private void im2colPart(int part, int from, int to) {
        int pixels = shape.pixels(), k = shape.kernelVolume(), inItem = shape.inputItem();
        for (int i = from; i < to; i++) {
            Im2Col.im2col(opX, (opFirst + i) * inItem, shape.channels(), shape.gh(), shape.gw(), opCols, i * pixels * k);
        }
    }

    // column-matrix gradient opCols -> opDx: images opFirst + [from, to), each summed in the serial order
    private void col2imPart(int part, int from, int to) {
        int pixels = shape.pixels(), k = shape.kernelVolume(), inItem = shape.inputItem();
        for (int i = from; i < to; i++) {
            Im2Col.col2im(opCols, i * pixels * k, shape.channels(), shape.gh(), shape.gw(), opDx, (opFirst + i) * inItem);
        }
    }
}
