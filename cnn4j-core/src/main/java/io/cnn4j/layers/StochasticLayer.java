package io.cnn4j.layers;

import java.util.SplittableRandom;

/**
 * What every mask-drawing layer shares: its rate (checked once, with Keras' message), its optional
 * own seed (Keras' {@code seed}) and the generator its masks come from, which the model reseeds at
 * every epoch ({@link Stochastic}).
 */
public abstract class StochasticLayer<L extends StochasticLayer<L>> extends AbstractLayer<L> implements Stochastic {
    protected final double rate;
    private final Long seed;
    /** The masks' generator: set when built, replaced by {@link #reseed}. */
    protected SplittableRandom random;

    protected StochasticLayer(double rate, Long seed) {
        checkRate(getClass().getSimpleName(), rate);
        this.rate = rate;
        this.seed = seed;
    }

    static void checkRate(String layer, double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException(layer + " rate is the probability to drop a unit and must be in [0, 1), got " + rate);
        }
    }

    public double rate() {
        return rate;
    }

    @Override
    public Long seed() {
        return seed;
    }

    @Override
    public void reseed(long s) {
        this.random = new SplittableRandom(s);
    }

    /** The generator at build time: from the layer's own seed, else split from the model's stream for this layer. */
    protected final void initRandom(BuildContext ctx) {
        random = seed != null ? new SplittableRandom(seed) : ctx.initRandom().split();
    }
}
