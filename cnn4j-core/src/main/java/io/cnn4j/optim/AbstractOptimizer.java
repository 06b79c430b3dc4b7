package io.cnn4j.optim;

/** What every optimizer keeps besides its state arrays: its hyperparameters and the number of updates done. */
abstract class AbstractOptimizer<C extends OptimizerConfig> implements Optimizer {
    protected C config;
    protected long iterations;

    AbstractOptimizer(C config) {
        this.config = config;
    }

    /** The check every optimizer's config makes of its learning rate, with the optimizer named. */
    /** Legacy time-based decay lr / (1 + decay · iterations) must be ≥ 0 and finite. */
    static void checkDecay(String optimizer, double decay) {
        if (!(decay >= 0) || Double.isInfinite(decay)) {
            throw new IllegalArgumentException(optimizer + " decay must be ≥ 0 and finite, got " + decay);
        }
    }

    static void checkLearningRate(String optimizer, double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(optimizer + " learning rate must be positive and finite, got " + learningRate);
        }
    }

    @Override
    public long iterations() {
        return iterations;
    }

    @Override
    public void setIterations(long iterations) {
        this.iterations = iterations;
    }

    @Override
    public C config() {
        return config;
    }

    @Override
    public void setLearningRate(double learningRate) {
        checkLearningRate(name(), learningRate);
        this.config = withLearningRate(learningRate);
    }

    /** This optimizer's config with another learning rate. */
    protected abstract C withLearningRate(double learningRate);
}
