package io.cnn4j.layers;

import io.cnn4j.kernels.Gemm;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.List;

/**
 * Fully connected layer, Keras {@code Dense}: y = activation(x · W + b) with kernel (in, units),
 * bias (units), initializers glorot_uniform / zeros. Takes rank-2 input (batch, features); put a
 * {@link Flatten} before it for images.
 */
public final class Dense extends AbstractLayer<Dense> {
    public record Config(int units, ActivationFunction activation, boolean useBias,
                         Initializer kernelInitializer, Initializer biasInitializer,
                         Regularizer kernelRegularizer, Regularizer biasRegularizer) implements LayerConfig {
        /** Without regularizers (Keras' default: kernel_regularizer and bias_regularizer None). */
        public Config(int units, ActivationFunction activation, boolean useBias, Initializer kernelInitializer,
                      Initializer biasInitializer) {
            this(units, activation, useBias, kernelInitializer, biasInitializer, null, null);
        }

        public Config {
            if (units <= 0) {
                throw new IllegalArgumentException("Dense units must be positive, got " + units);
            }
            LayerConfig.required("Dense", "activation", activation);
            LayerConfig.required("Dense", "kernel_initializer", kernelInitializer);
            LayerConfig.required("Dense", "bias_initializer", biasInitializer);
        }

        @Override
        public String className() {
            return "Dense";
        }

        @Override
        public Layer newLayer() {
            return new Dense(this);
        }
    }

    private final int units;
    private ActivationFunction activation = ActivationFunction.LINEAR;
    private boolean useBias = true;
    private Initializer kernelInitializer = Initializer.GLOROT_UNIFORM;
    private Initializer biasInitializer = Initializer.ZEROS;
    private Regularizer kernelRegularizer;
    private Regularizer biasRegularizer;

    private Parameter kernel;
    private Parameter bias;
    private int inputs;
    private Gemm gemm;
    private Tensor lastInput;
    private Tensor output;
    private Tensor gradInput;
    private float[] gradInputT;

    public Dense(int units) {
        this.units = units;
        config();
    }

    /** Dense(units, activation='relu'). */
    public Dense(int units, String activation) {
        this(units);
        this.activation = ActivationFunction.parse(activation);
    }

    public Dense(Config c) {
        this(c.units());
        this.activation = c.activation();
        this.useBias = c.useBias();
        this.kernelInitializer = c.kernelInitializer();
        this.biasInitializer = c.biasInitializer();
        this.kernelRegularizer = c.kernelRegularizer();
        this.biasRegularizer = c.biasRegularizer();
    }

    /** Keras' {@code kernel_regularizer}: a penalty on the kernel added to the loss (null for none). */
    public Dense kernelRegularizer(Regularizer r) {
        requireNotBuilt();
        this.kernelRegularizer = r;
        return this;
    }

    /** Keras' {@code bias_regularizer}: a penalty on the bias added to the loss (null for none). */
    public Dense biasRegularizer(Regularizer r) {
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

    public Dense activation(String a) {
        requireNotBuilt();
        this.activation = ActivationFunction.parse(a);
        return this;
    }

    public Dense useBias(boolean b) {
        requireNotBuilt();
        this.useBias = b;
        return this;
    }

    public Dense kernelInitializer(String name) {
        requireNotBuilt();
        this.kernelInitializer = Initializer.parse(name);
        return this;
    }

    public Dense biasInitializer(String name) {
        requireNotBuilt();
        this.biasInitializer = Initializer.parse(name);
        return this;
    }

    @Override
    public Config config() {
        return new Config(units, activation, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer);
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext ctx) {
        if (in.length != 1) {
            throw new IllegalArgumentException("Dense '" + name() + "' expects input of rank 2 (batch, features), got "
                    + Shapes.withBatch(in) + "; add a Flatten layer before it");
        }
        inputs = in[0];
        kernel = new Parameter(name() + "/kernel", inputs, units);
        kernelInitializer.fill(kernel.value(), inputs, units, ctx.initRandom());
        if (useBias) {
            bias = new Parameter(name() + "/bias", units);
            biasInitializer.fill(bias.value(), inputs, units, ctx.initRandom());
        }
        gemm = ctx.gemm();
        return new int[]{units};
    }

    @Override
    public List<Parameter> parameters() {
        return useBias ? List.of(kernel, bias) : List.of(kernel);
    }

    // x: (N, in) -> y: (N, units)
    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.dim(0);
        output = reuse(output, n, units);
        float[] y = output.data();
        gemm.sgemm(false, false, n, units, inputs, 1f, x.data(), 0, inputs, kernel.value(), 0, units, 0f, y, 0, units);
        if (useBias) {
            float[] b = bias.value();
            for (int r = 0; r < y.length; r += units) {
                for (int j = 0; j < units; j++) {
                    y[r + j] += b[j];
                }
            }
        }
        activation.apply(y, 0, y.length, units);
        lastInput = x;
        return output;
    }

    // dy: (N, units) -> dx: (N, in); accumulates kernel (in, units) and bias (units) gradients
    @Override
    public Tensor backward(Tensor gradOut) {
        checkGradient(gradOut, lastInput.dim(0));
        // dz overwrites dy in place: gradOut is handed over (Layer contract)
        activation.backward(output.data(), gradOut.data(), gradOut.data(), 0, gradOut.size(), units);
        return backwardFromLogits(gradOut);
    }

    @Override
    public boolean endsWithSoftmax() {
        return activation == ActivationFunction.SOFTMAX;
    }

    // dz: (N, units) before the activation -> dx: (N, in)
    @Override
    public Tensor backwardFromLogits(Tensor dzT) {
        Tensor x = lastInput;
        int n = x.dim(0);
        float[] dz = dzT.data();
        // dW (in × units) += xᵀ (in × N) · dz (N × units)
        gemm.sgemm(true, false, inputs, units, n, 1f, x.data(), 0, inputs, dz, 0, units, 1f, kernel.grad(), 0, units);
        if (useBias) {
            float[] db = bias.grad();
            for (int r = 0; r < dz.length; r += units) {
                for (int j = 0; j < units; j++) {
                    db[j] += dz[r + j];
                }
            }
        }
        if (!computeInputGradient) {
            return null;
        }
        gradInput = reuse(gradInput, n, inputs);
        float[] dx = gradInput.data();
        if (inputs >= 4 * n) {
            // many inputs, few samples (the dense layer after Flatten): dxᵀ (in × N) = W (in × units) · dzᵀ
            // reads W in place as the long operand, where dz · Wᵀ would first copy all of W transposed;
            // each element is the same sum over units, then dxᵀ is transposed into dx
            if (gradInputT == null || gradInputT.length != inputs * n) {
                gradInputT = new float[inputs * n];
            }
            gemm.sgemm(false, true, inputs, n, units, 1f, kernel.value(), 0, units, dz, 0, units, 0f, gradInputT, 0, n);
            for (int i = 0; i < inputs; i++) {
                for (int s = 0; s < n; s++) {
                    dx[s * inputs + i] = gradInputT[i * n + s];
                }
            }
            return gradInput;
        }
        // dx (N × in) = dz (N × units) · Wᵀ (units × in)
        gemm.sgemm(false, true, n, inputs, units, 1f, dz, 0, units, kernel.value(), 0, units, 0f, dx, 0, inputs);
        return gradInput;
    }
}
