package io.cnn4j.optim;

import io.cnn4j.layers.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras {@code Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)}, with Keras 2's
 * legacy {@code decay} (default 0) as in SGD:
 * <pre>
 *   t = iterations + 1
 *   lr_t = lr / (1 + decay · iterations)
 *   α = lr_t · √(1 − β₂ᵗ) / (1 − β₁ᵗ)
 *   m = m + (g − m)(1 − β₁);  v = v + (g² − v)(1 − β₂)
 *   w = w − α · m / (√v + ε)
 * </pre>
 */
public final class Adam extends AbstractOptimizer<Adam.Config> {
    public record Config(double learningRate, double beta1, double beta2, double epsilon, double decay) implements OptimizerConfig {
        /** Without legacy decay (Keras' current Adam). */
        public Config(double learningRate, double beta1, double beta2, double epsilon) {
            this(learningRate, beta1, beta2, epsilon, 0);
        }

        public Config {
            AbstractOptimizer.checkDecay("Adam", decay);
            AbstractOptimizer.checkLearningRate("Adam", learningRate);
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("Adam epsilon must be positive, got " + epsilon);
            }
        }

        @Override
        public Optimizer create() {
            return new Adam(this);
        }
    }

    private final List<float[]> moments = new ArrayList<>();

    /** Adam with Keras defaults. */
    public Adam() {
        this(0.001);
    }

    public Adam(double learningRate) {
        this(new Config(learningRate, 0.9, 0.999, 1e-7));
    }

    public Adam(Config config) {
        super(config);
    }

    @Override
    public String name() {
        return "Adam";
    }

    @Override
    public double currentLearningRate() {
        return config.learningRate() / (1 + config.decay() * iterations());
    }

    @Override
    public void step(List<Parameter> parameters) {
        state(parameters);
        double t = iterations + 1;
        float alpha = (float) (currentLearningRate() * Math.sqrt(1 - Math.pow(config.beta2(), t)) / (1 - Math.pow(config.beta1(), t)));
        // 1 − β in double, then float, as Keras does (1 − 0.999f in float would be 0.0009999871, not 0.001)
        float oneMinusB1 = (float) (1 - config.beta1()), oneMinusB2 = (float) (1 - config.beta2()), eps = (float) config.epsilon();
        for (int k = 0; k < parameters.size(); k++) {
            Parameter p = parameters.get(k);
            float[] w = p.value(), g = p.grad(), m = moments.get(2 * k), v = moments.get(2 * k + 1);
            for (int i = 0; i < w.length; i++) {
                float gi = g[i];
                m[i] += (gi - m[i]) * oneMinusB1;
                v[i] += (gi * gi - v[i]) * oneMinusB2;
                w[i] -= alpha * m[i] / ((float) Math.sqrt(v[i]) + eps);
            }
        }
        iterations++;
    }

    @Override
    public int stateArraysPerParameter() {
        return 2;
    }

    @Override
    public List<float[]> state(List<Parameter> parameters) {
        if (moments.isEmpty()) {
            for (Parameter p : parameters) {
                moments.add(new float[p.size()]);
                moments.add(new float[p.size()]);
            }
        }
        return moments;
    }

    @Override
    protected Adam.Config withLearningRate(double learningRate) {
        return new Config(learningRate, config.beta1(), config.beta2(), config.epsilon(), config.decay());
    }
}
