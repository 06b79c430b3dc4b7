package io.cnn4j.optim;

import io.cnn4j.layers.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras {@code SGD(learning_rate=0.01, momentum=0.0, nesterov=False, decay=0.0)} with the legacy
 * time-based decay lr_t = lr / (1 + decay · iterations), iterations counted per batch from 0:
 * <pre>
 *   v = momentum · v − lr_t · g
 *   w = w + momentum · v − lr_t · g   (nesterov)
 *   w = w + v                         (otherwise)
 * </pre>
 */
public final class SGD extends AbstractOptimizer<SGD.Config> {
    public record Config(double learningRate, double momentum, boolean nesterov, double decay) implements OptimizerConfig {
        public Config {
            AbstractOptimizer.checkLearningRate("SGD", learningRate);
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
            }
            AbstractOptimizer.checkDecay("SGD", decay);
        }

        @Override
        public Optimizer create() {
            return new SGD(this);
        }
    }

    private final List<float[]> velocity = new ArrayList<>();

    /** SGD with Keras defaults: learning rate 0.01, no momentum, no decay. */
    public SGD() {
        this(0.01);
    }

    public SGD(double learningRate) {
        this(learningRate, 0, false, 0);
    }

    /** SGD(lr, momentum, nesterov, decay) — the order of the Keras example's keywords differs; names say which. */
    public SGD(double learningRate, double momentum, boolean nesterov, double decay) {
        this(new Config(learningRate, momentum, nesterov, decay));
    }

    public SGD(Config config) {
        super(config);
    }

    @Override
    public String name() {
        return "SGD";
    }

    @Override
    public double currentLearningRate() {
        return config.learningRate() / (1 + config.decay() * iterations);
    }

    @Override
    public void step(List<Parameter> parameters) {
        float lr = (float) currentLearningRate();
        float mu = (float) config.momentum();
        if (mu == 0f) {
            // indexed: an iterator per step would be garbage
            for (int k = 0; k < parameters.size(); k++) {
                Parameter p = parameters.get(k);
                float[] w = p.value(), g = p.grad();
                for (int i = 0; i < w.length; i++) {
                    w[i] -= lr * g[i];
                }
            }
        } else {
            state(parameters);
            for (int k = 0; k < parameters.size(); k++) {
                Parameter p = parameters.get(k);
                float[] w = p.value(), g = p.grad(), v = velocity.get(k);
                if (config.nesterov()) {
                    for (int i = 0; i < w.length; i++) {
                        float vi = mu * v[i] - lr * g[i];
                        v[i] = vi;
                        w[i] += mu * vi - lr * g[i];
                    }
                } else {
                    for (int i = 0; i < w.length; i++) {
                        float vi = mu * v[i] - lr * g[i];
                        v[i] = vi;
                        w[i] += vi;
                    }
                }
            }
        }
        iterations++;
    }

    @Override
    public int stateArraysPerParameter() {
        return config.momentum() > 0 ? 1 : 0;
    }

    @Override
    public List<float[]> state(List<Parameter> parameters) {
        if (config.momentum() > 0 && velocity.isEmpty()) {
            for (Parameter p : parameters) {
                velocity.add(new float[p.size()]);
            }
        }
        return velocity;
    }

    @Override
    protected Config withLearningRate(double learningRate) {
        return new Config(learningRate, config.momentum(), config.nesterov(), config.decay());
    }
}
