package io.cnn4j.kernels;

import java.lang.reflect.Constructor;
import java.util.Optional;

/**
 * The Vector API backend ({@code vector}), built in. Like Apache Lucene's
 * {@code VectorizationProvider}, it checks once whether the module {@code jdk.incubator.vector} is
 * in the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}) and only
 * then loads {@link VectorGemm} by reflection, so that cnn4j-core runs without the module: the
 * class that links against it is never touched otherwise.
 */
public final class VectorGemmProvider implements GemmProvider {
    static final String MODULE = "jdk.incubator.vector";
    private static final String IMPLEMENTATION = "io.cnn4j.kernels.VectorGemm";

    @Override
    public String name() {
        return "vector";
    }

    /** The default: above OpenBLAS (40) and scalar (0), by measurement (README, "Backends"). */
    @Override
    public int priority() {
        return 50;
    }

    @Override
    public boolean isAvailable() {
        return Probe.RESULT.constructor != null;
    }

    @Override
    public String unavailableReason() {
        return Probe.RESULT.reason;
    }

    @Override
    public Gemm create(int threads) {
        Constructor<?> ctor = Probe.RESULT.constructor;
        if (ctor == null) {
            throw new IllegalStateException("the vector GEMM backend is not available: " + Probe.RESULT.reason);
        }
        try {
            return (Gemm) ctor.newInstance(threads);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the vector GEMM backend", e);
        }
    }

    /** Looked up once per class loader (initialisation-on-demand holder); immutable afterwards. */
    private static final class Probe {
        static final Probe RESULT = probe();
        final Constructor<?> constructor;
        final String reason;

        private Probe(Constructor<?> constructor, String reason) {
            this.constructor = constructor;
            this.reason = reason;
        }

        private static Probe probe() {
            Optional<Module> module = ModuleLayer.boot().findModule(MODULE);
            if (module.isEmpty()) {
                return new Probe(null, "module " + MODULE + " is not readable; start java with --add-modules " + MODULE);
            }
            // unnamed or named, our module must be able to read it (true for the class path's unnamed module)
            if (!VectorGemmProvider.class.getModule().canRead(module.get())) {
                return new Probe(null, "module " + MODULE + " is present but not readable by " + VectorGemmProvider.class.getModule());
            }
            try {
                Class<?> impl = Class.forName(IMPLEMENTATION, true, VectorGemmProvider.class.getClassLoader());
                return new Probe(impl.getConstructor(int.class), "");
            } catch (ReflectiveOperationException | LinkageError e) {
                return new Probe(null, "cannot load " + IMPLEMENTATION + ": " + e);
            }
        }
    }
}
