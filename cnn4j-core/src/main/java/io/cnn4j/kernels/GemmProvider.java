package io.cnn4j.kernels;

/**
 * A GEMM backend discovered through {@link java.util.ServiceLoader} (for example the OpenBLAS one in
 * module cnn4j-openblas) or built in (scalar, Vector API); no Keras counterpart.
 */
public interface GemmProvider {
    /** Short name used in {@code -Dcnn4j.gemm=NAME} / {@code CNN4J_GEMM=NAME}. */
    String name();

    /** Higher wins when no backend is requested explicitly. */
    int priority();

    /** Whether the backend can run here; when not, {@link #unavailableReason()} says why. */
    boolean isAvailable();

    default String unavailableReason() {
        return "";
    }

    /** A backend using at most {@code threads} threads inside one call. */
    Gemm create(int threads);
}
