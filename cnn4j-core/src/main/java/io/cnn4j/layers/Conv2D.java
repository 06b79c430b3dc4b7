package io.cnn4j.layers;

import io.cnn4j.kernels.BiasActivation;
import io.cnn4j.kernels.ConvEpilogue;
import io.cnn4j.kernels.ConvGeometry;
import io.cnn4j.kernels.Padding;
import io.cnn4j.kernels.Parallel;
import io.cnn4j.layers.conv.ConvolutionAlgorithm;
import io.cnn4j.layers.conv.ConvolutionAlgorithms;
import io.cnn4j.layers.conv.ConvolutionShape;
import io.cnn4j.layers.conv.Im2ColBatchedConvolution;
import io.cnn4j.model.MemoryBudget;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * 2-D convolution, Keras {@code Conv2D} with {@code channels_last}: kernel (kh, kw, C, F), bias (F),
 * default initializers glorot_uniform / zeros, strides (1, 1), padding "valid", no activation.
 *
 * <p>This class is the layer: configuration, parameters, and bias and activation (applied in one
 * pass over the output, their backward in one pass too). The convolution itself is computed by a
 * {@link ConvolutionAlgorithm} chosen once at build by {@link ConvolutionAlgorithms#choose}:
 * <ul>
 *   <li>{@link io.cnn4j.layers.conv.Im2ColBlockedConvolution}: im2col + GEMM in cache-sized chunks,
 *       whole images per worker, with one-thread GEMMs (vector and scalar backends);</li>
 *   <li>{@link io.cnn4j.layers.conv.WinogradConvolution}: F(2×2, 3×3) for 3×3 stride-1 layers with
 *       enough input channels (chosen by the build context's {@link io.cnn4j.kernels.ConvAlgorithm},
 *       see the README), also whole images per worker;</li>
 *   <li>{@link Im2ColBatchedConvolution}: one column matrix per group of images and the
 *       multithreaded GEMM, for backends without one-thread GEMMs (OpenBLAS, whose threads are
 *       process-wide), and for any layer whenever a batch has fewer images than threads.</li>
 * </ul>
 * Every path gives the same bits at a fixed thread count.
 */
public final class Conv2D extends AbstractLayer<Conv2D> {
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
    private ConvolutionShape shape;
    private Parallel parallel;
    /** How this layer convolves, chosen at build. */
    private ConvolutionAlgorithm algorithm;
    /** Bias and activation for algorithms that fuse them into their output pass; null when there is nothing to fuse. */
    private ConvEpilogue epilogue;
    /** The bias-and-activation loops of the epilogue and of this layer's own pass (vector where readable). */
    private BiasActivation biasActivation;
    /** The batched im2col, for batches with fewer images than {@code algorithm.minImages()} (or {@code algorithm} itself). */
    private ConvolutionAlgorithm smallBatches;
    private float[][] biasPartials;
    private Tensor lastInput;
    private Tensor output;
    private Tensor gradInput;

    /*
     * Operands of the loop bodies below, set right before each parallel loop. The bodies are
     * method references made once per layer, so a training step allocates no closures.
     */
    private float[] opY;
    private float[] opDy;
    private float[] opBias;
    private float[] zeroBias;
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
    /**
     * The per-thread workspaces build allocates: those of the algorithm that may be chosen for this
     * shape that allocates the most ({@link ConvolutionAlgorithms#workspaceFloatsBound}).
     */
    @Override
    public long buildWorkspaceFloats(int[] in, int threads) {
        if (in.length != 3) {
            return 0; // doBuild reports the rank
        }
        ConvGeometry h = ConvGeometry.of(in[0], kernelSize[0], strides[0], padding);
        ConvGeometry w = ConvGeometry.of(in[1], kernelSize[1], strides[1], padding);
        if (h.out() <= 0 || w.out() <= 0 || in[2] <= 0) {
            return 0; // doBuild reports it
        }
        return ConvolutionAlgorithms.workspaceFloatsBound(new ConvolutionShape(in[2], filters, h, w), threads);
    }

    /** The default buffers plus those of the algorithms that grow with the batch (the batched im2col's columns). */
    @Override
    public long bufferFloatsPerSample(boolean training) {
        long own = Math.max(algorithm.bufferFloatsPerSample(training), smallBatches.bufferFloatsPerSample(training));
        return MemoryBudget.add(super.bufferFloatsPerSample(training), own);
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 3) {
            throw new IllegalArgumentException("Conv2D '" + name() + "' expects input of rank 4 (batch, height, width, channels), got "
                    + Shapes.withBatch(in));
        }
        ConvGeometry gh = ConvGeometry.of(in[0], kernelSize[0], strides[0], padding);
        ConvGeometry gw = ConvGeometry.of(in[1], kernelSize[1], strides[1], padding);
        if (gh.out() <= 0 || gw.out() <= 0) {
            throw new IllegalArgumentException("Conv2D '" + name() + "': kernel " + Arrays.toString(kernelSize) + " does not fit input "
                    + Shapes.withBatch(in) + " with padding '" + padding.keras() + "'");
        }
        int channels = in[2];
        int k = kernelSize[0] * kernelSize[1] * channels;
        kernel = new Parameter(name() + "/kernel", kernelSize[0], kernelSize[1], channels, filters);
        kernelInitializer.fill(kernel.value(), k, kernelSize[0] * kernelSize[1] * filters, ctx.initRandom());
        if (useBias) {
            bias = new Parameter(name() + "/bias", filters);
            biasInitializer.fill(bias.value(), k, filters, ctx.initRandom());
        }
        shape = new ConvolutionShape(channels, filters, gh, gw);
        zeroBias = new float[filters];
        // the model's workers (one thread beside a backend whose threads spin between calls)
        parallel = ctx.parallel();
        algorithm = ConvolutionAlgorithms.choose(shape, ctx.gemm(), parallel, ctx.conv());
        // the bias and activation the algorithms can apply block by block: ReLU (with the bias or zeros) or the bias alone
        biasActivation = BiasActivation.best();
        epilogue = activation == ActivationFunction.RELU ? new ConvEpilogue(useBias ? bias.value() : zeroBias, true, biasActivation)
                : activation == ActivationFunction.LINEAR && useBias ? new ConvEpilogue(bias.value(), false, biasActivation) : null;
        smallBatches = algorithm.minImages() <= 1 ? algorithm : new Im2ColBatchedConvolution(shape, ctx.gemm(), parallel);
        return new int[]{gh.out(), gw.out(), filters};
    }

    /** How this layer computes once built: "winograd" (F(2×2, 3×3)), "direct" (im2col read in place) or "im2col". */
    public String algorithm() {
        requireBuilt();
        return algorithm.name();
    }

    /**
     * What this layer convolves once built: channels, filters and geometry, for running a
     * {@link ConvolutionAlgorithm} on its weights outside the layer (error checks).
     *
     * @return the built layer's convolution shape
     */
    public ConvolutionShape convolutionShape() {
        requireBuilt();
        return shape;
    }

    /** The algorithm for a batch of n images. */
    private ConvolutionAlgorithm forBatch(int n) {
        return n >= algorithm.minImages() ? algorithm : smallBatches;
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
        output = reuse(output, n, shape.gh().out(), shape.gw().out(), filters);
        float[] y = output.data();
        // a prediction on fewer images than workers splits each image over them where the
        // algorithm can (Winograd by tiles), rather than falling back to the batched im2col;
        // bias and activation go to algorithms that apply them block by block (same bits), else
        // they take a pass of their own
        ConvEpilogue fused = algorithm.fusesEpilogue() ? epilogue : null;
        if (training || n >= algorithm.minImages() || !algorithm.forwardFewImages(x.data(), n, kernel.value(), y, fused)) {
            ConvolutionAlgorithm a = forBatch(n);
            fused = a.fusesEpilogue() ? epilogue : null;
            a.forward(x.data(), n, kernel.value(), y, fused);
        }
        if (fused == null) {
            biasAndActivation(y);
        }
        lastInput = x;
        return output;
    }

    /**
     * Inference through this layer and the 2×2 max pooling right after it in one pass, where the
     * algorithm can (Winograd: each output tile is one pooling window): the pooled values go to
     * {@code pool}'s output, this layer's own output is not written. The same bits as
     * {@link #forward} then {@code pool.forward}, both in inference. Called by
     * {@code Sequential.forward} for inference.
     *
     * @param x    the input (N, H, W, C)
     * @param pool the MaxPooling2D that follows this layer
     * @return the pool's output (N, OH / 2, OW / 2, F), or null when this layer cannot do it (the
     *         caller then runs both layers)
     */
    public Tensor forwardMaxPooled(Tensor x, MaxPooling2D pool) {
        checkInput(x);
        if (!pool.isBuilt() || pool.inputDim(0) != shape.gh().out() || pool.inputDim(1) != shape.gw().out() || pool.inputDim(2) != filters) {
            throw new IllegalArgumentException("Conv2D '" + name() + "': forwardMaxPooled needs a MaxPooling2D built on this layer's output "
                    + Arrays.toString(outputShape()) + ", got '" + pool.name() + "'" + (pool.isBuilt() ? " built on " + Arrays.toString(pool.inputShape()) : " (not built)"));
        }
        int n = x.dim(0);
        // ReLU or nothing after the bias: what the epilogue covers before the maximum is taken
        if ((activation != ActivationFunction.RELU && activation != ActivationFunction.LINEAR) || !pool.isTwoByTwoValid()
                || n < algorithm.minImages() || !algorithm.fusesEpilogue()) {
            return null;
        }
        Tensor pooled = pool.inferenceOutput(n);
        if (!algorithm.forwardMaxPooled(x.data(), n, kernel.value(), pooled.data(), epilogue, pool.maxUpdate())) {
            return null;
        }
        lastInput = x;
        return pooled;
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
            biasActivation.bias(y, 0, y.length / filters, filters, b);
        }
        activation.apply(y, 0, y.length, filters);
    }

    // rows [from, to) of opY: (rows, F) = max(opY + opBias, 0)
    private void biasReluPart(int part, int from, int to) {
        biasActivation.biasRelu(opY, from * filters, to - from, filters, opBias);
    }

    // rows [from, to) of opY: (rows, F) += opBias
    private void biasPart(int part, int from, int to) {
        biasActivation.bias(opY, from * filters, to - from, filters, opBias);
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
            return backwardConvolution(gradLogits);
        }
        activation.backward(output.data(), gradOut.data(), gradLogits.data(), 0, gradOut.size(), filters);
        return backwardFromLogits(gradLogits);
    }

    // rows [from, to) of opDy: (rows, F) in place: dz = dy where opY > 0, else 0; this part's bias gradient
    private void reluBackwardPart(int part, int from, int to) {
        float[] pdb = biasPartials[part];
        Arrays.fill(pdb, 0f);
        biasActivation.reluBackward(opY, opDy, from * filters, to - from, filters, pdb);
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
        return backwardConvolution(dzT);
    }

    // dz: (N, OH, OW, F), bias gradient already taken -> dx: (N, H, W, C); accumulates the kernel gradient
    private Tensor backwardConvolution(Tensor dzT) {
        Tensor x = lastInput;
        int n = x.dim(0);
        float[] dx = null;
        if (computeInputGradient) {
            gradInput = reuseLike(gradInput, x);
            dx = gradInput.data(); // overwritten by the algorithm
        }
        forBatch(n).backward(x.data(), n, dzT.data(), kernel.value(), kernel.grad(), dx);
        return computeInputGradient ? gradInput : null;
    }
}
