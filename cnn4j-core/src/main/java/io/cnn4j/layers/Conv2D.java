package io.cnn4j.layers;

import io.cnn4j.kernels.ConvGeometry;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.Im2Col;
import io.cnn4j.kernels.Padding;
import io.cnn4j.kernels.Parallel;
import io.cnn4j.kernels.WinogradConv3x3;
import io.cnn4j.model.MemoryBudget;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * 2-D convolution, Keras {@code Conv2D} with {@code channels_last}: kernel (kh, kw, C, F), bias (F),
 * default initializers glorot_uniform / zeros, strides (1, 1), padding "valid", no activation.
 *
 * <p>Computed as im2col + GEMM. When the GEMM backend can give one-thread instances
 * ({@link Gemm#forOneThread()}: vector, scalar), the batch is split by whole images over the build
 * context's threads and each image is done in chunks of output pixels whose column rows fit in L2
 * (~256 KB): im2col of the chunk, its GEMMs, and col2im of its input gradient while the chunk is
 * still in cache. The kernel gradient is summed per worker and then over workers in worker order,
 * so results are the same bits at a fixed thread count (outputs and input gradients at any count).
 * Measured on the VGG-like net: ≈ 20% faster training than one big column matrix per group of
 * images, and ≈ 90 MB less peak RSS.
 *
 * <p>Otherwise (OpenBLAS, whose threads are process-wide, or fewer images than threads) a group of
 * G images becomes a (G·OH·OW) × (kh·kw·C) column matrix that multiplies the kernel viewed as
 * (kh·kw·C) × F with the multithreaded backend, giving the NHWC output without a transpose.
 * G is chosen so that the column buffer stays near {@link #COLUMN_BUDGET} floats, but at least one
 * image per thread: im2col and col2im then run one image per task on the build context's threads,
 * each image exactly as in a serial loop.
 * Bias and activation are applied in one pass over the output, and their backward in one pass too.
 *
 * <p>3×3 stride-1 layers with enough input channels compute by Winograd F(2×2, 3×3) instead
 * ({@link WinogradConv3x3}; chosen by the build context's {@link io.cnn4j.kernels.ConvAlgorithm},
 * see the README), whole images per worker as in the cache-blocked path; it needs that path's
 * one-thread GEMMs and at least one image per thread, and falls back to im2col otherwise.
 */
public final class Conv2D extends AbstractLayer<Conv2D> {
    /** Floats per column buffer; big enough for efficient GEMMs, small enough to stay in memory. */
    static final int COLUMN_BUDGET = 1 << 22;
    /** Floats per worker's column chunk in the cache-blocked path: 256 KB, a quarter of a Zen 4 core's L2. */
    static final int CHUNK_BUDGET = 1 << 16;

    public record Config(int filters, int[] kernelSize, int[] strides, Padding padding, ActivationFunction activation,
                         boolean useBias, Initializer kernelInitializer, Initializer biasInitializer,
                         Regularizer kernelRegularizer, Regularizer biasRegularizer) implements LayerConfig {
        /** Without regularizers (Keras' default: kernel_regularizer and bias_regularizer None). */
        public Config(int filters, int[] kernelSize, int[] strides, Padding padding, ActivationFunction activation,
                      boolean useBias, Initializer kernelInitializer, Initializer biasInitializer) {
            this(filters, kernelSize, strides, padding, activation, useBias, kernelInitializer, biasInitializer, null, null);
        }

        public Config {
            if (filters <= 0) {
                throw new IllegalArgumentException("Conv2D filters must be positive, got " + filters);
            }
            check("kernel_size", kernelSize);
            check("strides", strides);
            LayerConfig.required("Conv2D", "padding", padding);
            LayerConfig.required("Conv2D", "activation", activation);
            LayerConfig.required("Conv2D", "kernel_initializer", kernelInitializer);
            LayerConfig.required("Conv2D", "bias_initializer", biasInitializer);
            kernelSize = kernelSize.clone();
            strides = strides.clone();
        }

        private static void check(String what, int[] v) {
            if (v == null || v.length != 2 || v[0] < 1 || v[1] < 1) {
                throw new IllegalArgumentException("Conv2D " + what + " must be two positive integers, got " + Arrays.toString(v));
            }
        }

        @Override
        public String className() {
            return "Conv2D";
        }

        @Override
        public Layer newLayer() {
            return new Conv2D(this);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && filters == c.filters && Arrays.equals(kernelSize, c.kernelSize)
                    && Arrays.equals(strides, c.strides) && padding == c.padding && activation == c.activation
                    && useBias == c.useBias && kernelInitializer == c.kernelInitializer && biasInitializer == c.biasInitializer
                    && java.util.Objects.equals(kernelRegularizer, c.kernelRegularizer)
                    && java.util.Objects.equals(biasRegularizer, c.biasRegularizer);
        }

        @Override
        public int hashCode() {
            return filters * 31 + Arrays.hashCode(kernelSize) * 17 + Arrays.hashCode(strides) + padding.hashCode() + activation.hashCode();
        }
    }

    private int filters;
    private int[] kernelSize;
    private int[] strides = {1, 1};
    private Padding padding = Padding.VALID;
    private ActivationFunction activation = ActivationFunction.LINEAR;
    private boolean useBias = true;
    private Initializer kernelInitializer = Initializer.GLOROT_UNIFORM;
    private Initializer biasInitializer = Initializer.ZEROS;
    private Regularizer kernelRegularizer;
    private Regularizer biasRegularizer;

    private Parameter kernel;
    private Parameter bias;
    private ConvGeometry gh;
    private ConvGeometry gw;
    private int channels;
    private Gemm gemm;
    private Parallel parallel;
    private int group;
    private float[] cols;
    private float[] dcols;
    // cache-blocked path: one one-thread GEMM and small buffers per worker (null when the backend can't)
    private Gemm[] workerGemm;
    private float[][] workerCols;
    private float[][] workerDcols;
    private float[][] workerKernelGrad;
    private int chunkPixels;
    private float[][] biasPartials;
    // Winograd path (null when this layer uses im2col): U and Uᵀ of the current kernel, per-worker buffers
    private WinogradConv3x3 winograd;
    private WinogradConv3x3.Workspace[] winogradWorkspace;
    private float[] winogradKernel;
    private float[] winogradKernelT;
    private Tensor lastInput;
    private Tensor output;
    private Tensor gradInput;

    /*
     * Operands of the loop bodies below, set right before each parallel loop. The bodies are
     * method references made once per layer, so a training step allocates no closures.
     */
    private float[] opX;
    private float[] opY;
    private float[] opDy;
    private float[] opDx;
    private float[] opBias;
    private float[] zeroBias;
    private float[] opCols;
    private int opFirst;
    private final Parallel.PartRange forwardBlockedBody = this::forwardBlockedPart;
    private final Parallel.PartRange backwardBlockedBody = this::backwardBlockedPart;
    private final Parallel.PartRange forwardWinogradBody = this::forwardWinogradPart;
    private final Parallel.PartRange backwardWinogradBody = this::backwardWinogradPart;
    private final Parallel.PartRange im2colBody = this::im2colPart;
    private final Parallel.PartRange col2imBody = this::col2imPart;
    private final Parallel.PartRange biasReluBody = this::biasReluPart;
    private final Parallel.PartRange biasBody = this::biasPart;
    private final Parallel.PartRange reluBackwardBody = this::reluBackwardPart;

    /** Conv2D(filters, (kh, kw)). */
    public Conv2D(int filters, int kernelHeight, int kernelWidth) {
        this.filters = filters;
        this.kernelSize = new int[]{kernelHeight, kernelWidth};
        config(); // validates
    }

    /** Conv2D(filters, k) with a square k×k kernel. */
    public Conv2D(int filters, int kernel) {
        this(filters, kernel, kernel);
    }

    public Conv2D(Config c) {
        this(c.filters(), c.kernelSize()[0], c.kernelSize()[1]);
        this.strides = c.strides().clone();
        this.padding = c.padding();
        this.activation = c.activation();
        this.useBias = c.useBias();
        this.kernelInitializer = c.kernelInitializer();
        this.biasInitializer = c.biasInitializer();
        this.kernelRegularizer = c.kernelRegularizer();
        this.biasRegularizer = c.biasRegularizer();
    }

    /** Keras' {@code kernel_regularizer}: a penalty on the kernel added to the loss (null for none). */
    public Conv2D kernelRegularizer(Regularizer r) {
        requireNotBuilt();
        this.kernelRegularizer = r;
        return this;
    }

    /** Keras' {@code bias_regularizer}: a penalty on the bias added to the loss (null for none). */
    public Conv2D biasRegularizer(Regularizer r) {
        requireNotBuilt();
        this.biasRegularizer = r;
        return this;
    }

    @Override
    public double regularizationLoss() {
        return Regularizer.penalty(kernelRegularizer, kernel, biasRegularizer, bias);
    }

    @Override
    public void addRegularizationGradients() {
        Regularizer.addGradients(kernelRegularizer, kernel, biasRegularizer, bias);
    }

    public Conv2D strides(int sh, int sw) {
        requireNotBuilt();
        this.strides = new int[]{sh, sw};
        config();
        return this;
    }

    public Conv2D padding(String p) {
        requireNotBuilt();
        this.padding = Padding.parse(p);
        return this;
    }

    public Conv2D activation(String a) {
        requireNotBuilt();
        this.activation = ActivationFunction.parse(a);
        return this;
    }

    public Conv2D useBias(boolean b) {
        requireNotBuilt();
        this.useBias = b;
        return this;
    }

    public Conv2D kernelInitializer(String name) {
        requireNotBuilt();
        this.kernelInitializer = Initializer.parse(name);
        return this;
    }

    public Conv2D biasInitializer(String name) {
        requireNotBuilt();
        this.biasInitializer = Initializer.parse(name);
        return this;
    }

    @Override
    public Config config() {
        return new Config(filters, kernelSize, strides, padding, activation, useBias, kernelInitializer, biasInitializer,
                kernelRegularizer, biasRegularizer);
    }

    /**
     * The per-thread workspaces build allocates: for Winograd (3×3, stride 1) a padded copy of one
     * image and of its gradient per thread, else a column chunk per thread; bounded from above.
     */
    @Override
    public long buildWorkspaceFloats(int[] in, int threads) {
        if (in.length != 3) {
            return 0; // doBuild reports the rank
        }
        long t = Math.max(1, threads);
        long k = MemoryBudget.count(kernelSize[0], kernelSize[1], in[2]);
        long columns = MemoryBudget.mul(t, MemoryBudget.add(MemoryBudget.mul(2, MemoryBudget.add(CHUNK_BUDGET, k)), MemoryBudget.mul(k, filters)));
        if (kernelSize[0] == 3 && kernelSize[1] == 3 && strides[0] == 1 && strides[1] == 1) {
            long padded = MemoryBudget.count(in[0] + 2, in[1] + 2, in[2]);
            return MemoryBudget.add(columns, MemoryBudget.mul(2 * t, padded));
        }
        return columns;
    }

    /** The default buffers plus the im2col columns of one sample (and their gradient in training). */
    @Override
    public long bufferFloatsPerSample(boolean training) {
        long columns = MemoryBudget.count(gh.out(), gw.out(), kernelSize[0], kernelSize[1], channels);
        return MemoryBudget.add(super.bufferFloatsPerSample(training), training ? MemoryBudget.mul(2, columns) : columns);
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 3) {
            throw new IllegalArgumentException("Conv2D '" + name() + "' expects input of rank 4 (batch, height, width, channels), got "
                    + Shapes.withBatch(in));
        }
        gh = ConvGeometry.of(in[0], kernelSize[0], strides[0], padding);
        gw = ConvGeometry.of(in[1], kernelSize[1], strides[1], padding);
        if (gh.out() <= 0 || gw.out() <= 0) {
            throw new IllegalArgumentException("Conv2D '" + name() + "': kernel " + Arrays.toString(kernelSize) + " does not fit input "
                    + Shapes.withBatch(in) + " with padding '" + padding.keras() + "'");
        }
        channels = in[2];
        int k = kernelSize[0] * kernelSize[1] * channels;
        kernel = new Parameter(name() + "/kernel", kernelSize[0], kernelSize[1], channels, filters);
        kernelInitializer.fill(kernel.value(), k, kernelSize[0] * kernelSize[1] * filters, ctx.initRandom());
        if (useBias) {
            bias = new Parameter(name() + "/bias", filters);
            biasInitializer.fill(bias.value(), k, filters, ctx.initRandom());
        }
        gemm = ctx.gemm();
        zeroBias = new float[filters];
        // beside a backend whose threads spin between calls, extra Java threads would oversubscribe the cores
        parallel = new Parallel(gemm.busyWaits() ? 1 : Math.max(1, ctx.threads()));
        int pixels = gh.out() * gw.out();
        group = Math.max(parallel.threads(), COLUMN_BUDGET / Math.max(1, pixels * k));
        Gemm one = gemm.forOneThread();
        if (one != null) {
            int t = parallel.threads();
            workerGemm = new Gemm[t];
            workerGemm[0] = one;
            for (int i = 1; i < t; i++) {
                workerGemm[i] = gemm.forOneThread();
            }
            // a multiple of 6 rows (the GEMM's register block), at most one image
            chunkPixels = Math.min(pixels, Math.max(6, CHUNK_BUDGET / k / 6 * 6));
            workerDcols = new float[t][];
            workerKernelGrad = new float[t][];
            if (ctx.conv().useWinograd(gh, gw, channels)) {
                winograd = new WinogradConv3x3(channels, filters, gh, gw);
                winogradWorkspace = new WinogradConv3x3.Workspace[t];
                for (int i = 0; i < t; i++) {
                    winogradWorkspace[i] = winograd.newWorkspace();
                    workerKernelGrad[i] = new float[winograd.transformedKernelSize()];
                }
                winogradKernel = new float[winograd.transformedKernelSize()];
                winogradKernelT = new float[winograd.transformedKernelSize()];
            } else {
                workerCols = new float[t][chunkPixels * k];
            }
        }
        return new int[]{gh.out(), gw.out(), filters};
    }

    /** How this layer computes once built: "winograd" (F(2×2, 3×3)) or "im2col". */
    public String algorithm() {
        requireBuilt();
        return winograd != null ? "winograd" : "im2col";
    }

    @Override
    public List<Parameter> parameters() {
        return useBias ? List.of(kernel, bias) : List.of(kernel);
    }

    // x: (N, H, W, C) -> y: (N, OH, OW, F)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.dim(0);
        int pixels = gh.out() * gw.out();
        int k = kernelSize[0] * kernelSize[1] * channels;
        output = reuse(output, n, gh.out(), gw.out(), filters);
        float[] y = output.data();
        opX = x.data();
        opY = y;
        if (winograd != null && n >= parallel.threads()) {
            winograd.transformKernel(kernel.value(), winogradKernel);
            parallel.forParts(n, forwardWinogradBody);
        } else if (workerCols != null && n >= parallel.threads()) {
            parallel.forParts(n, forwardBlockedBody);
        } else {
            int g = Math.min(group, n);
            if (cols == null || cols.length < g * pixels * k) {
                cols = new float[g * pixels * k];
            }
            opCols = cols;
            for (int start = 0; start < n; start += g) {
                int count = Math.min(g, n - start);
                opFirst = start;
                parallel.forParts(count, im2colBody);
                gemm.sgemm(false, false, count * pixels, filters, k, 1f, cols, 0, k, kernel.value(), 0, filters,
                        0f, y, start * pixels * filters, filters);
            }
        }
        biasAndActivation(y);
        lastInput = x;
        opX = opY = opCols = null;
        return output;
    }

    // images [from, to) of opX: (N, H, W, C) -> opY: (N, OH, OW, F) before bias and activation, by Winograd
    private void forwardWinogradPart(int part, int from, int to) {
        int inItem = gh.in() * gw.in() * channels, outItem = gh.out() * gw.out() * filters;
        for (int b = from; b < to; b++) {
            winograd.forward(workerGemm[part], winogradWorkspace[part], opX, b * inItem, winogradKernel, opY, b * outItem);
        }
    }

    /*
     * The cache-blocked path: each worker takes whole images and goes through each in chunks of
     * chunkPixels output pixels: im2col of the chunk into a buffer that stays in L2, then a
     * one-thread GEMM on it while it is still there. The big path writes a column matrix of
     * tens of MB first and then streams it back from memory into the GEMM.
     */
    // images [from, to) of opX: (N, H, W, C) -> opY: (N, OH, OW, F) before bias and activation
    private void forwardBlockedPart(int part, int from, int to) {
        int pixels = gh.out() * gw.out();
        int k = kernelSize[0] * kernelSize[1] * channels;
        int inItem = gh.in() * gw.in() * channels;
        float[] xs = opX, y = opY, w = kernel.value();
        Gemm g = workerGemm[part];
        float[] buf = workerCols[part];
        for (int b = from; b < to; b++) {
            for (int q0 = 0; q0 < pixels; q0 += chunkPixels) {
                int q1 = Math.min(pixels, q0 + chunkPixels);
                Im2Col.im2col(xs, b * inItem, channels, gh, gw, buf, 0, q0, q1);
                g.sgemm(false, false, q1 - q0, filters, k, 1f, buf, 0, k, w, 0, filters, 0f, y, (b * pixels + q0) * filters, filters);
            }
        }
    }

    // images opFirst + [from, to) of opX: (N, H, W, C) -> rows of the column matrix opCols, one image's pixels each
    private void im2colPart(int part, int from, int to) {
        int pixels = gh.out() * gw.out();
        int k = kernelSize[0] * kernelSize[1] * channels;
        int inItem = gh.in() * gw.in() * channels;
        for (int i = from; i < to; i++) {
            Im2Col.im2col(opX, (opFirst + i) * inItem, channels, gh, gw, opCols, i * pixels * k);
        }
    }

    // column-matrix gradient opCols -> opDx: images opFirst + [from, to), each summed in the serial order
    private void col2imPart(int part, int from, int to) {
        int pixels = gh.out() * gw.out();
        int k = kernelSize[0] * kernelSize[1] * channels;
        int inItem = gh.in() * gw.in() * channels;
        for (int i = from; i < to; i++) {
            Im2Col.col2im(opCols, i * pixels * k, channels, gh, gw, opDx, (opFirst + i) * inItem);
        }
    }

    /** Adds the kernel gradients of workers firstPart..parts−1 to {@code into} in worker order: the same bits for the same thread count. */
    private void sumWorkerKernelGradients(int firstPart, int parts, float[] into) {
        for (int t = firstPart; t < parts; t++) {
            float[] dw = workerKernelGrad[t];
            for (int i = 0; i < into.length; i++) {
                into[i] += dw[i];
            }
        }
    }

    // images [from, to) of opDy: (N, OH, OW, F) -> this worker's kernel gradient and, when wanted, opDx (overwritten)
    private void backwardBlockedPart(int part, int from, int to) {
        int pixels = gh.out() * gw.out();
        int k = kernelSize[0] * kernelSize[1] * channels;
        int inItem = gh.in() * gw.in() * channels;
        float[] xs = opX, dz = opDy, dx = opDx, w = kernel.value();
        Gemm g = workerGemm[part];
        float[] buf = workerCols[part], dbuf = workerDcols[part], dw = workerKernelGrad[part];
        Arrays.fill(dw, 0f);
        for (int b = from; b < to; b++) {
            if (dx != null) {
                Arrays.fill(dx, b * inItem, (b + 1) * inItem, 0f);
            }
            for (int q0 = 0; q0 < pixels; q0 += chunkPixels) {
                int q1 = Math.min(pixels, q0 + chunkPixels), rows = q1 - q0;
                int dzOff = (b * pixels + q0) * filters;
                Im2Col.im2col(xs, b * inItem, channels, gh, gw, buf, 0, q0, q1);
                // dW_part (k × F) += colsᵀ (k × rows) · dz (rows × F)
                g.sgemm(true, false, k, filters, rows, 1f, buf, 0, k, dz, dzOff, filters, 1f, dw, 0, filters);
                if (dx != null) {
                    // dcols (rows × k) = dz (rows × F) · Wᵀ (F × k), scattered back while it is in cache
                    g.sgemm(false, true, rows, k, filters, 1f, dz, dzOff, filters, w, 0, filters, 0f, dbuf, 0, k);
                    Im2Col.col2im(dbuf, 0, channels, gh, gw, dx, b * inItem, q0, q1);
                }
            }
        }
    }

    // images [from, to) of opDy: (N, OH, OW, F) -> this worker's dU (16, C, F) and, when wanted, opDx (overwritten)
    private void backwardWinogradPart(int part, int from, int to) {
        int inItem = gh.in() * gw.in() * channels, outItem = gh.out() * gw.out() * filters;
        float[] du = workerKernelGrad[part];
        Arrays.fill(du, 0f);
        for (int b = from; b < to; b++) {
            winograd.backward(workerGemm[part], winogradWorkspace[part], opX, b * inItem, opDy, b * outItem, du,
                    winogradKernelT, opDx, b * inItem);
        }
    }

    // y: (N, OH, OW, F) in place, y = activation(y + bias), one pass for relu and linear
    private void biasAndActivation(float[] y) {
        float[] b = useBias ? bias.value() : null;
        opY = y;
        if (activation == ActivationFunction.RELU) {
            opBias = b == null ? zeroBias : b;
            parallel.forParts(y.length / filters, biasReluBody);
            return;
        }
        if (activation == ActivationFunction.LINEAR) {
            if (b != null) {
                opBias = b;
                parallel.forParts(y.length / filters, biasBody);
            }
            return;
        }
        if (b != null) {
            for (int r = 0; r < y.length; r += filters) {
                for (int f = 0; f < filters; f++) {
                    y[r + f] += b[f];
                }
            }
        }
        activation.apply(y, 0, y.length, filters);
    }

    // rows [from, to) of opY: (rows, F) = max(opY + opBias, 0)
    private void biasReluPart(int part, int from, int to) {
        float[] y = opY, bb = opBias;
        // Math.max is branch-free: `v < 0 ? 0 : v` mispredicts on half the units and measured
        // 10× slower here. The results are the same numbers (NaN stays NaN); only a −0.0 input
        // comes out as +0.0.
        for (int r = from * filters; r < to * filters; r += filters) {
            for (int f = 0; f < filters; f++) {
                y[r + f] = Math.max(y[r + f] + bb[f], 0f);
            }
        }
    }

    // rows [from, to) of opY: (rows, F) += opBias
    private void biasPart(int part, int from, int to) {
        float[] y = opY, b = opBias;
        for (int r = from * filters; r < to * filters; r += filters) {
            for (int f = 0; f < filters; f++) {
                y[r + f] += b[f];
            }
        }
    }

    // dy: (N, OH, OW, F) -> dx: (N, H, W, C); accumulates kernel (kh, kw, C, F) and bias (F) gradients
    @Override
    public Tensor backward(Tensor gradOut) {
        checkGradient(gradOut, lastInput.dim(0));
        // dz overwrites dy in place: the caller hands gradOut over (Layer contract), which saves one
        // activation-sized buffer per layer
        Tensor gradLogits = gradOut;
        if (activation == ActivationFunction.RELU && useBias) {
            // one pass: dz = dy where y > 0, and the bias gradient; rows split over the workers, each
            // summing its own bias partial, then the partials added in worker order (same bits at a
            // fixed thread count)
            float[] dz = gradLogits.data(), db = bias.grad();
            int parts = parallel.threads();
            if (biasPartials == null) {
                biasPartials = new float[parts][filters];
            }
            opY = output.data();
            opDy = dz;
            parallel.forParts(dz.length / filters, reluBackwardBody);
            opY = opDy = null;
            int used = Math.min(parts, dz.length / filters);
            for (int t = 0; t < used; t++) {
                for (int f = 0; f < filters; f++) {
                    db[f] += biasPartials[t][f];
                }
            }
            return backwardGemms(gradLogits);
        }
        activation.backward(output.data(), gradOut.data(), gradLogits.data(), 0, gradOut.size(), filters);
        return backwardFromLogits(gradLogits);
    }

    // rows [from, to) of opDy: (rows, F) in place: dz = dy where opY > 0, else 0; this part's bias gradient
    private void reluBackwardPart(int part, int from, int to) {
        float[] y = opY, dz = opDy, pdb = biasPartials[part];
        Arrays.fill(pdb, 0f);
        for (int r = from * filters; r < to * filters; r += filters) {
            for (int f = 0; f < filters; f++) {
                // the mask 1 where y > 0, else 0, without a branch (y · MAX · MAX overflows to +∞
                // for any positive float, denormals included); `y > 0 ? dy : 0` mispredicts on
                // half the units. Same numbers; a masked unit gives ±0 by dy's sign.
                float mask = Math.min(Math.max(y[r + f] * Float.MAX_VALUE * Float.MAX_VALUE, 0f), 1f);
                float d = mask * dz[r + f];
                dz[r + f] = d;
                pdb[f] += d;
            }
        }
    }

    @Override
    public boolean endsWithSoftmax() {
        return activation == ActivationFunction.SOFTMAX;
    }

    // dz: (N, OH, OW, F) gradient before the activation -> dx: (N, H, W, C)
    @Override
    public Tensor backwardFromLogits(Tensor dzT) {
        float[] dz = dzT.data();
        if (useBias) {
            float[] db = bias.grad();
            for (int r = 0; r < dz.length; r += filters) {
                for (int f = 0; f < filters; f++) {
                    db[f] += dz[r + f];
                }
            }
        }
        return backwardGemms(dzT);
    }

    // dz: (N, OH, OW, F), bias gradient already taken -> dx: (N, H, W, C); accumulates the kernel gradient
    private Tensor backwardGemms(Tensor dzT) {
        Tensor x = lastInput;
        int n = x.dim(0);
        int pixels = gh.out() * gw.out();
        int k = kernelSize[0] * kernelSize[1] * channels;
        float[] dz = dzT.data();
        opX = x.data();
        opDy = dz;
        opDx = null;
        if (computeInputGradient) {
            gradInput = reuseLike(gradInput, x);
            opDx = gradInput.data(); // zeroed image by image by the workers, or below
        }
        int parts = Math.min(parallel.threads(), n);
        if (winograd != null && n >= parallel.threads()) {
            if (computeInputGradient) {
                // U of the kernel the forward pass used (the weights have not changed since)
                winograd.transposeKernel(winogradKernel, winogradKernelT);
            }
            parallel.forParts(n, backwardWinogradBody);
            // the workers' dU summed in worker order into worker 0's, then taken back to the kernel's shape
            sumWorkerKernelGradients(1, parts, workerKernelGrad[0]);
            winograd.kernelGradient(workerKernelGrad[0], kernel.grad());
        } else if (workerCols != null && n >= parallel.threads()) {
            for (int t = 0; t < parts; t++) {
                if (workerKernelGrad[t] == null) {
                    workerKernelGrad[t] = new float[k * filters];
                }
                if (computeInputGradient && workerDcols[t] == null) {
                    workerDcols[t] = new float[chunkPixels * k];
                }
            }
            parallel.forParts(n, backwardBlockedBody);
            sumWorkerKernelGradients(0, parts, kernel.grad());
        } else {
            backwardBig(n, pixels, k, dz);
        }
        opX = opDy = opDx = opCols = null;
        return computeInputGradient ? gradInput : null;
    }

    // the big path: groups of images as one column matrix and multithreaded GEMMs (OpenBLAS, or few images)
    private void backwardBig(int n, int pixels, int k, float[] dz) {
        int g = Math.min(group, n);
        if (cols == null || cols.length < g * pixels * k) {
            cols = new float[g * pixels * k];
        }
        if (computeInputGradient) {
            Arrays.fill(opDx, 0f);
            if (dcols == null || dcols.length < g * pixels * k) {
                dcols = new float[g * pixels * k];
            }
        }
        for (int start = 0; start < n; start += g) {
            int count = Math.min(g, n - start);
            int rows = count * pixels;
            opFirst = start;
            opCols = cols;
            parallel.forParts(count, im2colBody);
            // dW (k × F) += colsᵀ (k × rows) · dz (rows × F)
            gemm.sgemm(true, false, k, filters, rows, 1f, cols, 0, k, dz, start * pixels * filters, filters,
                    1f, kernel.grad(), 0, filters);
            if (computeInputGradient) {
                // dcols (rows × k) = dz (rows × F) · Wᵀ (F × k)
                gemm.sgemm(false, true, rows, k, filters, 1f, dz, start * pixels * filters, filters, kernel.value(), 0, filters,
                        0f, dcols, 0, k);
                // each image's dx is its own: images in parallel, each summed in the serial order
                opCols = dcols;
                parallel.forParts(count, col2imBody);
            }
        }
    }
}
