package io.cnn4j.kernels;

import java.lang.reflect.Constructor;
import java.util.Optional;

/**
 * The Vector API backend ({@code vector}), built in; no Keras counterpart. Like Apache Lucene's
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

    /** With the block sizes for this CPU ({@link KernelTuner}: from the tuning file, measured on first use, or the defaults). */
    @Override
    public Gemm create(int threads) {
        return create(threads, choose(threads).tuning());
    }

    /**
     * The tuning {@link #create(int)} uses for {@code threads} threads, measuring it first when this
     * machine has none yet (after the JIT warm-up, so it times compiled kernels).
     */
    private KernelTuner.Choice choose(int threads) {
        available();
        return KernelTuner.forThisMachine(threads, vectorLength(), t -> {
            awaitWarmUp();
            return create(threads, t);
        });
    }

    /** Where {@link #create(int)}'s block sizes for {@code threads} threads came from (reads the tuning file, measures nothing). */
    public String tuningSource(int threads) {
        available();
        return KernelTuner.source(threads, vectorLength());
    }

    /** Measures the candidates now and records the choice for this machine ({@code cnn4j tune}). */
    public KernelTuner.Result remeasure(int threads, int rounds) throws java.io.IOException {
        available();
        awaitWarmUp();
        return KernelTuner.remeasure(threads, vectorLength(), t -> create(threads, t), rounds);
    }

    /** A backend with the given block sizes. */
    public Gemm create(int threads, KernelTuning tuning) {
        available();
        try {
            return (Gemm) Probe.RESULT.constructor.newInstance(threads, tuning);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the vector GEMM backend", e);
        }
    }

    private static void available() {
        if (Probe.RESULT.constructor == null) {
            throw new IllegalStateException("the vector GEMM backend is not available: " + Probe.RESULT.reason);
        }
    }

    /** Floats per vector of the kernels (read through the class, which links against the module). */
    private static int vectorLength() {
        try {
            return (int) Probe.RESULT.constructor.getDeclaringClass().getMethod("vectorLength").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the vector length", e);
        }
    }

    private static void awaitWarmUp() {
        try {
            Probe.RESULT.warmUp.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the kernels on small products until the JIT has compiled them (once per JVM, on a
     * background thread, about a second). Until then vector code runs interpreted and boxes every vector: on the first real
     * convolution that is gigabytes of garbage, and the collector grows the heap to match, which
     * showed as ≈ 150 MB more peak RSS in training (vgg-like, 100×100×3: ≈ 840 vs ≈ 680 MiB).
     */
    static void warmUp(Gemm g) {
        int m = 60, n = 64, k = 96;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 7) * 0.25f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (i % 5) * 0.5f;
        }
        for (int rep = 0; rep < 400; rep++) {
            g.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            g.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 1f, c, 0, n);
            g.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n);
        }
    }

    /**
     * An instance of the Vector API class {@code className} (no-argument constructor) as a
     * {@code type} when {@code jdk.incubator.vector} is readable and the class links, else
     * {@code fallback}: how the kernels with a scalar reference pick their vector form.
     */
    static <T> T vectorOr(Class<T> type, String className, java.util.function.Supplier<T> fallback) {
        if (new VectorGemmProvider().isAvailable()) {
            try {
                Constructor<?> ctor = Class.forName(className).getDeclaredConstructor();
                return type.cast(ctor.newInstance());
            } catch (ReflectiveOperationException | LinkageError e) {
                return fallback.get();
            }
        }
        return fallback.get();
    }

    /** Looked up once per class loader (initialisation-on-demand holder); immutable afterwards. */
    private static final class Probe {
        static final Probe RESULT = probe();
        final Constructor<?> constructor;
        final String reason;
        /** The background JIT warm-up (a tuning measurement waits for it). */
        final Thread warmUp;

        private Probe(Constructor<?> constructor, String reason, Thread warmUp) {
            this.constructor = constructor;
            this.reason = reason;
            this.warmUp = warmUp;
        }

        private static Probe probe() {
            Optional<Module> module = ModuleLayer.boot().findModule(MODULE);
            if (module.isEmpty()) {
                return new Probe(null, "module " + MODULE + " is not readable; start java with --add-modules " + MODULE, null);
            }
            // unnamed or named, our module must be able to read it (true for the class path's unnamed module)
            if (!VectorGemmProvider.class.getModule().canRead(module.get())) {
                return new Probe(null, "module " + MODULE + " is present but not readable by " + VectorGemmProvider.class.getModule(), null);
            }
            try {
                Class<?> impl = Class.forName(IMPLEMENTATION, true, VectorGemmProvider.class.getClassLoader());
                Constructor<?> ctor = impl.getConstructor(int.class, KernelTuning.class);
                Gemm warm = (Gemm) ctor.newInstance(1, KernelTuning.DEFAULTS);
                // in the background: a command that never multiplies does not wait for it
                Thread t = new Thread(() -> warmUp(warm), "cnn4j-vector-warmup");
                t.setDaemon(true);
                t.start();
                return new Probe(ctor, "", t);
            } catch (ReflectiveOperationException | LinkageError e) {
                return new Probe(null, "cannot load " + IMPLEMENTATION + ": " + e, null);
            }
        }
    }
}
