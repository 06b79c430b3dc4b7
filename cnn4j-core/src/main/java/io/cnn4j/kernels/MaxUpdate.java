package io.cnn4j.kernels;

/**
 * The inner step of a max pool over NHWC channels: {@code m[i] = v[i] > m[i] ? v[i] : m[i]} for a
 * run of channels, with exactly that rule (a NaN or an equal value never replaces the running
 * maximum, so the first cell of a window wins ties and a NaN first cell stays); no Keras counterpart
 * (the inner loop of Keras' {@code MaxPooling2D}). The scalar form compiles to a branch per
 * element, which mispredicts on pooled activations (measured 3× slower than recording the winning
 * index); the vector form is a compare and a blend.
 */
public interface MaxUpdate {
    // m[mo, mo + count) = v[vo + i] > m[mo + i] ? v[vo + i] : m[mo + i]
    void update(float[] v, int vo, float[] m, int mo, int count);

    /** The Vector API form when {@code jdk.incubator.vector} is readable, else {@link Scalar}. */
    static MaxUpdate best() {
        return VectorGemmProvider.vectorOr(MaxUpdate.class, "io.cnn4j.kernels.VectorMaxUpdate", Scalar::new);
    }

    /** Plain loop; the reference, and the vector form's tail. */
    final class Scalar implements MaxUpdate {
        @Override
        public void update(float[] v, int vo, float[] m, int mo, int count) {
            for (int i = 0; i < count; i++) {
                float x = v[vo + i];
                m[mo + i] = x > m[mo + i] ? x : m[mo + i];
            }
        }
    }
}
