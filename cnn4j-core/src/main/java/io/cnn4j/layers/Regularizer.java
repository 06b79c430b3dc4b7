package io.cnn4j.layers;

import java.util.Locale;

/**
 * A weight penalty, Keras' {@code keras.regularizers.L1}, {@code L2} and {@code L1L2} in one record:
 * penalty(w) = l1 · Σ|wᵢ| + l2 · Σwᵢ². The penalty of every regularized weight is added to the
 * loss the model reports and minimises, as Keras adds {@code model.losses} to the compiled loss;
 * its gradient is l1 · sign(wᵢ) + 2 · l2 · wᵢ (sign(0) = 0, as TensorFlow's and JAX's abs gradient).
 *
 * @param l1 the L1 factor (≥ 0)
 * @param l2 the L2 factor (≥ 0)
 */
public record Regularizer(double l1, double l2) {
    /** Keras' default factor of {@code L1()}, {@code L2()} and {@code l1_l2()}. */
    public static final double DEFAULT_FACTOR = 0.01;

    public Regularizer {
        if (!(l1 >= 0) || Double.isInfinite(l1) || !(l2 >= 0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("regularizer factors l1 and l2 must be finite and ≥ 0, got l1=" + l1 + ", l2=" + l2);
        }
    }

    /** Keras' {@code L1(l1)}. */
    public static Regularizer l1Of(double l1) {
        return new Regularizer(l1, 0);
    }

    /** Keras' {@code L2(l2)}. */
    public static Regularizer l2Of(double l2) {
        return new Regularizer(0, l2);
    }

    /** Keras' {@code l1_l2(l1, l2)}. */
    public static Regularizer l1L2(double l1, double l2) {
        return new Regularizer(l1, l2);
    }

    /**
     * "l1", "l2", "l1_l2" (Keras' string names, factor 0.01 each), or "l2:0.001", "l1:0.01",
     * "l1_l2:0.01,0.001"; "none" is null.
     */
    public static Regularizer parse(String spec) {
        if (spec == null || spec.isBlank() || spec.equalsIgnoreCase("none")) {
            return null;
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        String name = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        String[] args = s.contains(":") ? s.substring(s.indexOf(':') + 1).split(",") : new String[0];
        try {
            return switch (name) {
                case "l1" -> l1Of(args.length > 0 ? Double.parseDouble(args[0]) : DEFAULT_FACTOR);
                case "l2" -> l2Of(args.length > 0 ? Double.parseDouble(args[0]) : DEFAULT_FACTOR);
                case "l1_l2", "l1l2" -> l1L2(args.length > 0 ? Double.parseDouble(args[0]) : DEFAULT_FACTOR,
                        args.length > 1 ? Double.parseDouble(args[1]) : DEFAULT_FACTOR);
                default -> throw new IllegalArgumentException("unknown regularizer '" + spec + "'; expected l1, l2, l1_l2, "
                        + "optionally with factors as in l2:0.001 or l1_l2:0.01,0.001");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("regularizer '" + spec + "': factor is not a number");
        }
    }

    /** The Keras class name this penalty is written as: "L1", "L2" or "L1L2". */
    public String kerasClassName() {
        if (l2 == 0 && l1 != 0) {
            return "L1";
        }
        if (l1 == 0) {
            return "L2";
        }
        return "L1L2";
    }

    /** l1 · Σ|wᵢ| + l2 · Σwᵢ², accumulated in double. */
    public double penalty(float[] w) {
        double abs = 0, sq = 0;
        for (float v : w) {
            abs += Math.abs(v);
            sq += (double) v * v;
        }
        return l1 * abs + l2 * sq;
    }

    /**
     * The penalty of a weighted layer's kernel and bias, as Conv2D and Dense report it.
     *
     * @param kernelRegularizer the kernel's penalty, or null for none
     * @param kernel the kernel
     * @param biasRegularizer the bias' penalty, or null for none
     * @param bias the bias, or null when the layer has none
     * @return the summed penalty (0 without regularizers)
     */
    static double penalty(Regularizer kernelRegularizer, Parameter kernel, Regularizer biasRegularizer, Parameter bias) {
        double penalty = 0;
        if (kernelRegularizer != null) {
            penalty += kernelRegularizer.penalty(kernel.value());
        }
        if (biasRegularizer != null && bias != null) {
            penalty += biasRegularizer.penalty(bias.value());
        }
        return penalty;
    }

    /** Adds the penalty gradients of a weighted layer's kernel and bias (either regularizer may be null). */
    static void addGradients(Regularizer kernelRegularizer, Parameter kernel, Regularizer biasRegularizer, Parameter bias) {
        if (kernelRegularizer != null) {
            kernelRegularizer.addGradient(kernel.value(), kernel.grad());
        }
        if (biasRegularizer != null && bias != null) {
            biasRegularizer.addGradient(bias.value(), bias.grad());
        }
    }

    /** grad += l1 · sign(w) + 2 · l2 · w. */
    public void addGradient(float[] w, float[] grad) {
        float a = (float) l1, b = (float) (2 * l2);
        for (int i = 0; i < w.length; i++) {
            float v = w[i];
            grad[i] += a * Math.signum(v) + b * v;
        }
    }
}
