package io.cnn4j.layers.conv;

/**
 * One way of computing a 2-D convolution without bias or activation (im2col + GEMM, Winograd, ...),
 * forward and backward, on NHWC float arrays; the computing part of Keras' {@code Conv2D}, which
 * has no counterpart for the choice (XLA/cuDNN pick internally). {@code io.cnn4j.layers.Conv2D} asks
 * {@link ConvolutionAlgorithms#choose} for one at build time and adds bias and activation itself.
 *
 * <p>Contract: an instance belongs to one layer; its buffers are allocated at construction (or on
 * first use, then reused), so a call in steady state allocates nothing. Results depend only on the
 * inputs and the thread count: the same bits at a fixed thread count. {@link #backward} follows a
 * {@link #forward} of the same batch with the same kernel (an algorithm may keep what forward
 * derived from the kernel).
 */
public interface ConvolutionAlgorithm {
    /**
     * The name {@code Conv2D.algorithm()} reports.
     *
     * @return "im2col", "winograd" or "direct"
     */
    String name();

    /**
     * The shape this instance was made for.
     *
     * @return channels, filters and geometry
     */
    ConvolutionShape shape();

    /**
     * The fewest images in a batch this algorithm is meant for; below, the layer uses the batched
     * im2col (whose GEMMs use every thread even for one image).
     *
     * @return 1, or the thread count for algorithms that give each worker whole images
     */
    int minImages();

    /**
     * x: (N, H, W, C), kernel (kh, kw, C, F) -> y: (N, OH, OW, F), overwritten.
     *
     * @param x      the input batch
     * @param n      images N in the batch
     * @param kernel the kernel in Keras' layout
     * @param y      the output, at least N·OH·OW·F floats
     */
    void forward(float[] x, int n, float[] kernel, float[] y);

    /**
     * Whether {@link #forward(float[], int, float[], float[], ConvEpilogue)} applies the epilogue
     * block by block as it computes (the layer then skips its own pass over the output).
     *
     * @return true for algorithms that fuse it
     */
    default boolean fusesEpilogue() {
        return false;
    }

    /**
     * As {@link #forward(float[], int, float[], float[])}, then {@code epilogue} on every output
     * pixel; an algorithm that {@link #fusesEpilogue() fuses} it applies it to each block of output
     * right after computing it, with the same bits as a pass afterwards. The default computes the
     * output, then applies the epilogue over all of it on this thread.
     *
     * @param x        the input batch (N, H, W, C)
     * @param n        images N
     * @param kernel   the kernel (kh, kw, C, F)
     * @param y        the output (N, OH, OW, F), overwritten
     * @param epilogue bias and activation to apply, or null for none
     */
    default void forward(float[] x, int n, float[] kernel, float[] y, io.cnn4j.kernels.ConvEpilogue epilogue) {
        forward(x, n, kernel, y);
        if (epilogue != null) {
            epilogue.apply(y, 0, n * shape().pixels(), shape().filters());
        }
    }

    /**
     * Forward for an inference batch with fewer images than {@link #minImages()}, splitting each
     * image's work over the workers instead, when the algorithm can (a single image's prediction
     * would otherwise fall back to a slower algorithm); the caller uses another algorithm when this
     * returns false. Never followed by {@link #backward}.
     *
     * @param x      the input (N, H, W, C)
     * @param n      the images, fewer than {@link #minImages()}
     * @param kernel the kernel (kh, kw, C, F)
     * @param y      the output (N, OH, OW, F), overwritten when this returns true
     * @return whether it computed y; the default computes nothing
     */
    default boolean forwardFewImages(float[] x, int n, float[] kernel, float[] y) {
        return false;
    }

    /**
     * As {@link #forwardFewImages(float[], int, float[], float[])}, then {@code epilogue} on every
     * output pixel (applied block by block by the algorithms that {@link #fusesEpilogue() fuse} it;
     * the default applies it afterwards on this thread).
     *
     * @param x        the input (N, H, W, C)
     * @param n        the images, fewer than {@link #minImages()}
     * @param kernel   the kernel (kh, kw, C, F)
     * @param y        the output (N, OH, OW, F), overwritten when this returns true
     * @param epilogue bias and activation to apply, or null for none
     * @return whether it computed y
     */
    default boolean forwardFewImages(float[] x, int n, float[] kernel, float[] y, io.cnn4j.kernels.ConvEpilogue epilogue) {
        if (!forwardFewImages(x, n, kernel, y)) {
            return false;
        }
        if (epilogue != null) {
            epilogue.apply(y, 0, n * shape().pixels(), shape().filters());
        }
        return true;
    }

    /**
     * Inference: the forward pass, the epilogue, then a 2×2, stride-2, valid max pooling, written
     * straight into the pooled output without the convolution's own (for a Conv2D followed by such
     * a MaxPooling2D; the same bits as the two layers one after the other). Algorithms that cannot
     * return false and the caller runs the layers one after the other.
     *
     * @param x         the input (N, H, W, C)
     * @param n         the images, at least {@link #minImages()}
     * @param kernel    the kernel (kh, kw, C, F)
     * @param pooled    the pooled output (N, OH / 2, OW / 2, F), overwritten when this returns true
     * @param epilogue  bias and activation, or null for none
     * @param maxUpdate the max pooling's rule
     * @return whether it computed pooled
     */
    default boolean forwardMaxPooled(float[] x, int n, float[] kernel, float[] pooled, io.cnn4j.kernels.ConvEpilogue epilogue,
                                     io.cnn4j.kernels.MaxUpdate maxUpdate) {
        return false;
    }

    /**
     * dz: (N, OH, OW, F) -> kernelGrad (kh, kw, C, F) += dL/dkernel, and dx: (N, H, W, C) overwritten
     * with dL/dx when {@code dx} is not null.
     *
     * @param x          the input batch of the last forward
     * @param n          images N
     * @param dz         the gradient of the output (before bias and activation)
     * @param kernel     the kernel of the last forward
     * @param kernelGrad the kernel gradient to add to
     * @param dx         the input gradient to write, or null when it is not wanted
     */
    void backward(float[] x, int n, float[] dz, float[] kernel, float[] kernelGrad, float[] dx);

    /**
     * Floats this instance allocates whatever the batch (per-worker buffers), an upper bound.
     *
     * @return floats, saturating at Long.MAX_VALUE
     */
    long workspaceFloats();

    /**
     * Floats this instance holds per image of the largest batch it has run (buffers that grow with the batch).
     *
     * @param training whether for forward and backward or forward only
     * @return floats per image, saturating at Long.MAX_VALUE
     */
    long bufferFloatsPerSample(boolean training);

    /**
     * The error of this algorithm's forward pass against the same convolution summed in double
     * precision ({@link ConvolutionReference}): max |y − ref| / max |ref| (max |y − ref| when ref
     * is all zero). The same check for every algorithm; it allocates, so it is for diagnostics
     * ({@code cnn4j bench}) and tests, not for training steps.
     *
     * @param x      input batch (N, H, W, C)
     * @param n      images N
     * @param kernel kernel (kh, kw, C, F)
     * @return the relative max error
     */
    default double relativeMaxError(float[] x, int n, float[] kernel) {
        float[] y = new float[n * shape().outputItem()];
        forward(x, n, kernel, y);
        return ConvolutionReference.relativeMaxError(y, ConvolutionReference.forward(shape(), x, n, kernel));
    }
}
