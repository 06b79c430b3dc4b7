package io.cnn4j.kernels;

/**
 * The bias and activation of a convolution's output, over pixels of F floats each: the per-pixel
 * work of {@link ConvEpilogue} (fused into the algorithms' output passes) and of {@code Conv2D}'s own
 * pass; no Keras counterpart (it is the {@code bias_add} and {@code relu} of Keras' {@code Conv2D}).
 * {@link Scalar} is the reference; {@code VectorBiasActivation} does the same float operations with
 * the Vector API, a vector of filters at a time, so the same bits (−0.0 and infinities included;
 * a NaN stays a NaN, though which operand's payload it carries may differ; {@code BiasActivationTest}).
 *
 * <p>Why a vector version: C2 left the scalar loop ({@code Math.max(y + b, 0f)} over 32 filters)
 * unvectorized, and fused into the direct convolution's output pass it doubled that layer's time
 * (vgg-like's first layer, batch 32, 2 threads, Zen 4: 3.64 ms without it, 7.56 ms with it).
 */
public interface BiasActivation {

    // y: pixels [0, count) from off, F floats each -> max(y + bias, 0), in place
    void biasRelu(float[] y, int off, int count, int filters, float[] bias);

    // y: pixels [0, count) from off, F floats each -> y + bias, in place
    void bias(float[] y, int off, int count, int filters, float[] bias);

    // y: the layer's output after ReLU, dz: the gradient after it (pixels [0, count) from off, F floats each)
    //   -> dz = dz where y > 0, else 0, in place; biasGrad (F) += those, summed over the pixels in order
    void reluBackward(float[] y, float[] dz, int off, int count, int filters, float[] biasGrad);

    /** The Vector API version when {@code jdk.incubator.vector} is readable, else {@link Scalar}. */
    static BiasActivation best() {
        return VectorGemmProvider.vectorOr(BiasActivation.class, "io.cnn4j.kernels.VectorBiasActivation", Scalar::new);
    }

    /** Plain loops; the reference, and the vector version's tail (filters from {@code f0} on). */
    final class Scalar implements BiasActivation {
        @Override
        public void biasRelu(float[] y, int off, int count, int filters, float[] bias) {
            biasRelu(y, off, count, filters, bias, 0);
        }

        @Override
        public void bias(float[] y, int off, int count, int filters, float[] bias) {
            bias(y, off, count, filters, bias, 0);
        }

        @Override
        public void reluBackward(float[] y, float[] dz, int off, int count, int filters, float[] biasGrad) {
            reluBackward(y, dz, off, count, filters, biasGrad, 0);
        }

        static void reluBackward(float[] y, float[] dz, int off, int count, int filters, float[] db, int f0) {
            int end = off + count * filters;
            for (int r = off; r < end; r += filters) {
                for (int f = f0; f < filters; f++) {
                    // the mask 1 where y > 0, else 0, without a branch (y · MAX · MAX overflows to +∞
                    // for any positive float, denormals included); `y > 0 ? dy : 0` mispredicts on
                    // half the units. Same numbers; a masked unit gives ±0 by dy's sign.
                    float mask = Math.min(Math.max(y[r + f] * Float.MAX_VALUE * Float.MAX_VALUE, 0f), 1f);
                    float d = mask * dz[r + f];
                    dz[r + f] = d;
                    db[f] += d;
                }
            }
        }

        static void biasRelu(float[] y, int off, int count, int filters, float[] b, int f0) {
            int end = off + count * filters;
            // Math.max is branch-free: `v < 0 ? 0 : v` mispredicts on half the units (measured 10×
            // slower). NaN stays NaN; a −0.0 sum comes out as +0.0.
            for (int r = off; r < end; r += filters) {
                for (int f = f0; f < filters; f++) {
                    y[r + f] = Math.max(y[r + f] + b[f], 0f);
                }
            }
        }

        static void bias(float[] y, int off, int count, int filters, float[] b, int f0) {
            int end = off + count * filters;
            for (int r = off; r < end; r += filters) {
                for (int f = f0; f < filters; f++) {
                    y[r + f] += b[f];
                }
            }
        }
    }
}
