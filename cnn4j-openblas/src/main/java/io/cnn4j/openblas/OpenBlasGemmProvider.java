package io.cnn4j.openblas;

import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.GemmProvider;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;

/**
 * The {@code openblas} backend, found through {@link java.util.ServiceLoader}. Available when the
 * native library for this platform loads (the module ships linux-x86_64 natives only).
 */
public final class OpenBlasGemmProvider implements GemmProvider {

    @Override
    public String name() {
        return "openblas";
    }

    /**
     * Below the Vector API backend (50), above scalar (0): measured on this project's 2-core machine,
     * the vector kernel trained the VGG-like net faster, and OpenBLAS with 2 threads hit a
     * pathological case (the first convolution's weight gradient, m = 9, k = batch·pixels) that took
     * a second per batch. So OpenBLAS is the default only where the Vector API is unreadable. See
     * README, "Backends".
     */
    @Override
    public int priority() {
        return 40;
    }

    @Override
    public boolean isAvailable() {
        return Natives.REASON.isEmpty();
    }

    @Override
    public String unavailableReason() {
        return Natives.REASON;
    }

    @Override
    public Gemm create(int threads) {
        if (!isAvailable()) {
            throw new IllegalStateException("the openblas GEMM backend is not available: " + Natives.REASON);
        }
        return new OpenBlasGemm(threads);
    }

    /** Loads the natives once (initialisation-on-demand holder); empty reason means loaded. */
    private static final class Natives {
        static final String REASON = load();

        private static String load() {
            try {
                Loader.load(openblas_full.class);
                return "";
            } catch (Throwable e) {
                // UnsatisfiedLinkError, NoClassDefFoundError on a platform without natives: fall back, don't die
                return "cannot load OpenBLAS natives for " + Loader.getPlatform() + ": " + e;
            }
        }
    }
}
