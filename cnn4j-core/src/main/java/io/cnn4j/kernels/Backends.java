package io.cnn4j.kernels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Chooses the GEMM backend once, at model build time; no Keras counterpart.
 *
 * <p>Order of precedence: the system property {@code cnn4j.gemm}, then the environment variable
 * {@code CNN4J_GEMM}, then the available backend with the highest priority. Built in are
 * {@code scalar} (always there) and whatever {@link GemmProvider}s the class path offers through
 * {@link ServiceLoader}. When the requested backend cannot run, one warning line goes to stderr and
 * the best available one is used instead, so a job never dies for want of a faster kernel.
 *
 * <p>Threads: {@code cnn4j.threads} / {@code CNN4J_THREADS}, default all available processors.
 */
public final class Backends {
    public static final String PROPERTY = "cnn4j.gemm";
    public static final String ENV = "CNN4J_GEMM";
    public static final String THREADS_PROPERTY = "cnn4j.threads";
    public static final String THREADS_ENV = "CNN4J_THREADS";

    private Backends() {
    }

    /** All providers known here, best first. */
    public static List<GemmProvider> providers() {
        List<GemmProvider> list = new ArrayList<>();
        list.add(new ScalarGemmProvider());
        list.add(new VectorGemmProvider());
        for (GemmProvider p : ServiceLoader.load(GemmProvider.class)) {
            list.add(p);
        }
        list.sort(Comparator.comparingInt(GemmProvider::priority).reversed());
        return list;
    }

    /** The requested backend name, or null when none was requested. */
    public static String requested() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(ENV);
        }
        return v == null || v.isBlank() ? null : v.trim().toLowerCase(Locale.ROOT);
    }

    public static int threads() {
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(THREADS_ENV);
        }
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int t = Integer.parseInt(v.trim());
            if (t < 1) {
                throw new NumberFormatException();
            }
            return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + "/" + THREADS_ENV + " must be a positive integer, got '" + v + "'");
        }
    }

    /** The backend by the rules above, with the thread count from {@link #threads()}. */
    public static Gemm select() {
        return select(requested(), threads());
    }

    /** The named backend (or the best one when {@code name} is null) with {@code threads} threads. */
    public static Gemm select(String name, int threads) {
        List<GemmProvider> all = providers();
        if (name != null) {
            for (GemmProvider p : all) {
                if (p.name().equalsIgnoreCase(name)) {
                    if (p.isAvailable()) {
                        return p.create(threads);
                    }
                    GemmProvider fallback = best(all);
                    System.err.println("cnn4j: WARNING: GEMM backend '" + name + "' is not available (" + p.unavailableReason()
                            + "); using '" + fallback.name() + "' instead");
                    return fallback.create(threads);
                }
            }
            GemmProvider fallback = best(all);
            System.err.println("cnn4j: WARNING: unknown GEMM backend '" + name + "' (known: "
                    + String.join(", ", all.stream().map(GemmProvider::name).toList()) + "); using '" + fallback.name() + "' instead");
            return fallback.create(threads);
        }
        GemmProvider chosen = best(all);
        if (chosen instanceof ScalarGemmProvider) {
            ScalarFallbackWarning.emit(all);
        }
        return chosen.create(threads);
    }

    /** Says once per class loader (class initialisation runs once) why the slow scalar backend was chosen. */
    private static final class ScalarFallbackWarning {
        static {
            System.err.println("cnn4j: WARNING: no fast GEMM backend available, using 'scalar' (about 10x slower). Why: "
                    + String.join("; ", reasons(Backends.providers())));
        }

        private static List<String> reasons(List<GemmProvider> all) {
            List<String> out = new ArrayList<>();
            for (GemmProvider p : all) {
                if (!p.isAvailable()) {
                    out.add(p.name() + ": " + p.unavailableReason());
                }
            }
            return out;
        }

        static void emit(List<GemmProvider> all) {
            // the static initialiser did the work
        }
    }

    private static GemmProvider best(List<GemmProvider> all) {
        for (GemmProvider p : all) {
            if (p.isAvailable()) {
                return p;
            }
        }
        throw new IllegalStateException("no GEMM backend available");
    }

    static final class ScalarGemmProvider implements GemmProvider {
        @Override
        public String name() {
            return "scalar";
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public Gemm create(int threads) {
            return new ScalarGemm();
        }
    }
}
