package io.cnn4j.kernels;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Backend selection: by name, by priority, and the fallback when a backend cannot run. */
class BackendsTest {

    @Test
    void scalarAndVectorAreBuiltInAndVectorIsPreferredWhenReadable() {
        List<String> names = Backends.providers().stream().map(GemmProvider::name).toList();
        assertThat(names).contains("scalar", "vector");
        assertThat(names.indexOf("vector")).isLessThan(names.indexOf("scalar"));
        assertThat(Backends.select(null, 2)).isNotInstanceOf(ScalarGemm.class);
        assertThat(Backends.select("vector", 2).name()).isEqualTo("vector");
    }

    @Test
    void namesAreCaseInsensitive() {
        assertThat(Backends.select("SCALAR", 1)).isInstanceOf(ScalarGemm.class);
    }

    @Test
    void unknownNameFallsBackToTheBestWithOneWarningLine() {
        String err = captureStderr(() -> assertThat(Backends.select("no-such-gemm", 1).name()).isEqualTo(Backends.select(null, 1).name()));
        assertThat(err.lines().toList()).hasSize(1);
        assertThat(err).contains("unknown GEMM backend 'no-such-gemm'").contains("scalar").contains("vector");
    }

    @Test
    void vectorThreadCountIsValidated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new VectorGemmProvider().create(0))
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Without {@code --add-modules jdk.incubator.vector} the vector backend reports itself unavailable,
     * the scalar one is chosen, and exactly one warning line says why — checked in a fresh JVM,
     * because this one was started with the module.
     */
    @Test
    void withoutTheIncubatorModuleFallsBackToScalarWithOneWarning() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), FallbackMain.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out).contains("vector available=false").contains("selected=scalar selected=scalar");
        List<String> warnings = err.lines().filter(l -> l.contains("WARNING")).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("scalar").contains("--add-modules jdk.incubator.vector");
    }

    /** Run in a JVM without the incubator module: selects twice to show the warning is printed once. */
    public static final class FallbackMain {
        public static void main(String[] args) {
            VectorGemmProvider v = new VectorGemmProvider();
            System.out.println("vector available=" + v.isAvailable());
            System.out.println("selected=" + Backends.select(null, 1).name() + " selected=" + Backends.select(null, 1).name());
        }
    }

    /** What {@code r} writes to standard error (shared by this package's tests). */
    static String captureStderr(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
