package io.cnn4j.layers;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.VectorGemm;
import io.cnn4j.kernels.VectorGemmProvider;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Conv2D gives the same bits as the code the fixture was recorded from: for a grid of shapes,
 * thread counts (1 to 3), batch sizes, {@link ConvAlgorithm} values and GEMM backends, the CRC32 of the raw
 * float bits of the training output, the input gradient, the kernel and bias gradients (two steps,
 * gradients accumulated) and of an inference output. The fixture
 * {@code conv2d-bit-identity.txt} was recorded before the convolution algorithms moved out of
 * Conv2D into their own classes, so a refactor of those paths must reproduce it exactly.
 *
 * <p>The hashes depend on the GEMM's vector width (the order of float sums), so the fixture is
 * keyed by {@link VectorGemm#vectorLength()}; on a width it has no lines for, the test is skipped.
 *
 * <p>To record cases the fixture lacks (a new algorithm, shape or vector width), from code whose
 * recorded cases still pass:
 * <pre>
 * mvn -B -ntp -o -pl cnn4j-core test -Dtest=Conv2DBitIdentityTest \
 *     -Dcnn4j.conv2dBitIdentity.write=$PWD/cnn4j-core/src/test/resources/io/cnn4j/layers/conv2d-bit-identity.txt
 * </pre>
 * Recording refuses to change a recorded case (that would hide a change of bits) unless
 * {@code -Dcnn4j.conv2dBitIdentity.replace=true} is given too.
 */
class Conv2DBitIdentityTest {
    static final String FIXTURE = "conv2d-bit-identity.txt";
    static final String WRITE_PROPERTY = "cnn4j.conv2dBitIdentity.write";
    static final String REPLACE_PROPERTY = "cnn4j.conv2dBitIdentity.replace";

    /** One layer geometry: input (h, w, c), filters, kernel, stride, padding, bias, activation. */
    record Shape(int h, int w, int c, int f, int k, int s, String padding, boolean bias, String activation) {
        String key() {
            return h + "x" + w + "x" + c + "-f" + f + "-k" + k + "-s" + s + "-" + padding + (bias ? "-bias" : "-nobias") + "-" + activation;
        }
    }

    static final List<Shape> SHAPES = List.of(
            new Shape(9, 9, 3, 8, 3, 1, "valid", true, "relu"),
            new Shape(10, 10, 32, 16, 3, 1, "same", true, "relu"),
            new Shape(7, 7, 32, 8, 3, 1, "valid", false, "relu"),
            new Shape(8, 8, 64, 16, 3, 1, "same", true, "linear"),
            new Shape(9, 9, 32, 16, 5, 2, "same", false, "linear"),
            new Shape(8, 8, 64, 16, 3, 2, "valid", true, "linear"),
            new Shape(8, 8, 3, 4, 5, 1, "same", true, "tanh"),
            new Shape(9, 8, 32, 8, 3, 1, "valid", true, "tanh"));

    /**
     * Batch sizes of the training steps, in order: below, at and above the thread count, a change
     * of path, and two steps on one path (gradients accumulated, so the order of sums shows).
     */
    static final int[][] BATCHES = {{1}, {3}, {5, 1}, {3, 4}};

    static final String[] BACKENDS = {"scalar", "vector", "vector-shared"};

    /** The vector backend as a backend without one-thread instances (as OpenBLAS): the big im2col path. */
    static final class SharedOnly implements Gemm {
        final Gemm inner;

        SharedOnly(Gemm inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return "vector-shared";
        }

        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            inner.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    static Gemm backend(String name, int threads) {
        return switch (name) {
            case "scalar" -> Backends.select("scalar", threads);
            case "vector" -> Backends.select("vector", threads);
            case "vector-shared" -> new SharedOnly(Backends.select("vector", threads));
            default -> throw new IllegalArgumentException(name);
        };
    }

    static int crc(float[] v) {
        CRC32 crc = new CRC32();
        byte[] b = new byte[4];
        for (float x : v) {
            int bits = Float.floatToRawIntBits(x);
            b[0] = (byte) bits;
            b[1] = (byte) (bits >>> 8);
            b[2] = (byte) (bits >>> 16);
            b[3] = (byte) (bits >>> 24);
            crc.update(b, 0, 4);
        }
        return (int) crc.getValue();
    }

    /** The hashes of one case, as "y=… dx=… dk=… db=… yi=… algorithm=…". */
    static String run(Shape sh, String backendName, int threads, ConvAlgorithm algorithm, int[] batches, boolean inputGradient) {
        Conv2D conv = new Conv2D(sh.f(), sh.k(), sh.k()).strides(sh.s(), sh.s()).padding(sh.padding())
                .activation(sh.activation()).useBias(sh.bias());
        conv.setComputeInputGradient(inputGradient);
        conv.build(new int[]{sh.h(), sh.w(), sh.c()},
                new BuildContext(new SplittableRandom(7), backend(backendName, threads), threads, algorithm));
        SplittableRandom r = new SplittableRandom(sh.key().hashCode() * 31L + batches.length);
        if (sh.bias()) {
            float[] b = conv.parameters().get(1).value();
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (0.4 * (r.nextDouble() - 0.5));
            }
        }
        int[] out = conv.outputShape();
        Tensor y = null, dx = null;
        for (int n : batches) {
            Tensor x = LayerTestHarness.uniform(r, -1, 1, n, sh.h(), sh.w(), sh.c());
            y = conv.forward(x, true).copy();
            Tensor dy = LayerTestHarness.uniform(r, -1, 1, n, out[0], out[1], out[2]);
            Tensor g = conv.backward(dy);
            dx = g == null ? null : g.copy();
        }
        Tensor xi = LayerTestHarness.uniform(r, -1, 1, batches[0], sh.h(), sh.w(), sh.c());
        float[] yi = conv.forward(xi, false).data();
        StringBuilder s = new StringBuilder();
        s.append("y=").append(hex(crc(y.data())));
        s.append(" dx=").append(dx == null ? "none" : hex(crc(dx.data())));
        s.append(" dk=").append(hex(crc(conv.parameters().get(0).grad())));
        s.append(" db=").append(sh.bias() ? hex(crc(conv.parameters().get(1).grad())) : "none");
        s.append(" yi=").append(hex(crc(yi)));
        s.append(" algorithm=").append(conv.algorithm());
        return s.toString();
    }

    static String hex(int v) {
        return String.format("%08x", v);
    }

    /** Every case's key (without the vector-length prefix) and its hashes, in a fixed order. */
    static Map<String, String> computeAll() {
        Map<String, String> all = new LinkedHashMap<>();
        for (Shape sh : SHAPES) {
            for (String backend : BACKENDS) {
                for (int threads = 1; threads <= 3; threads++) {
                    for (ConvAlgorithm a : ConvAlgorithm.values()) {
                        for (int[] batches : BATCHES) {
                            StringBuilder b = new StringBuilder();
                            for (int n : batches) {
                                b.append(b.length() == 0 ? "" : ",").append(n);
                            }
                            for (boolean dx : new boolean[]{true, false}) {
                                if (!dx && batches.length != 1) {
                                    continue;
                                }
                                String key = sh.key() + " " + backend + " t" + threads + " " + a.lower() + " n" + b + (dx ? "" : " nodx");
                                all.put(key, run(sh, backend, threads, a, batches, dx));
                            }
                        }
                    }
                }
            }
        }
        return all;
    }

    @Test
    void reproducesRecordedHashes() throws IOException {
        assumeTrue(new VectorGemmProvider().isAvailable(), "the vector backend is not available here (the fixture is recorded with it)");
        String vl = "vl" + VectorGemm.vectorLength();
        Map<String, String> actual = computeAll();
        Map<String, String> expected = recorded(fixtureLines(), vl);
        String write = System.getProperty(WRITE_PROPERTY);
        if (write != null && !write.isBlank()) {
            Path path = Path.of(write);
            List<String> lines = Files.exists(path) ? Files.readAllLines(path, StandardCharsets.UTF_8) : List.of();
            List<String> changed = differing(recorded(lines, vl), actual);
            // recording adds cases; it changes a recorded one only when asked to (that would hide a change of bits)
            if (!Boolean.getBoolean(REPLACE_PROPERTY)) {
                assertThat(changed).as("recorded cases whose bits differ now (to replace them anyway: -D" + REPLACE_PROPERTY + "=true)")
                        .isEmpty();
            }
            record(path, lines, vl, actual);
            return;
        }
        assumeTrue(!expected.isEmpty(), "no recorded Conv2D hashes for vector length " + VectorGemm.vectorLength()
                + " in " + FIXTURE + " (record them with -D" + WRITE_PROPERTY + "=PATH from known-good code)");
        List<String> unrecorded = new ArrayList<>(actual.keySet());
        unrecorded.removeAll(expected.keySet());
        assertThat(unrecorded).as("cases without recorded hashes (a new algorithm or shape? record them with -D"
                + WRITE_PROPERTY + "=PATH, which keeps the recorded ones)").isEmpty();
        assertThat(differing(expected, actual)).as("cases whose bits changed").isEmpty();
    }

    /** This width's recorded cases: key (without the width) to hashes. */
    static Map<String, String> recorded(List<String> lines, String vl) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.startsWith(vl + " ")) {
                int bar = line.indexOf(" | ");
                m.put(line.substring(vl.length() + 1, bar), line.substring(bar + 3));
            }
        }
        return m;
    }

    /** Recorded cases that are missing now or give other hashes, one line each. */
    static List<String> differing(Map<String, String> expected, Map<String, String> actual) {
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            if (!e.getValue().equals(actual.get(e.getKey()))) {
                differing.add(e.getKey() + ": expected " + e.getValue() + ", got " + actual.get(e.getKey()));
            }
        }
        return differing;
    }

    static List<String> fixtureLines() throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = Conv2DBitIdentityTest.class.getResourceAsStream(FIXTURE)) {
            if (in == null) {
                return lines;
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        }
        return lines;
    }

    /**
     * Writes the fixture: the comment lines as they were (a default header for a new file), other
     * widths' lines as they were, then this width's cases as computed now.
     */
    static void record(Path path, List<String> old, String vl, Map<String, String> actual) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : old) {
            if (line.startsWith("#")) {
                out.add(line);
            }
        }
        if (out.isEmpty()) {
            out.add("# Conv2D bit-identity fixture: CRC32 of Float.floatToRawIntBits (little-endian bytes) of the training");
            out.add("# output y, input gradient dx, kernel gradient dk and bias gradient db after the listed training steps");
            out.add("# (gradients accumulated), and of an inference output yi; one line per case, keyed by the GEMM vector");
            out.add("# length (VectorGemm.vectorLength()). Read by Conv2DBitIdentityTest; recorded by it with");
            out.add("#   mvn -B -ntp -o -pl cnn4j-core test -Dtest=Conv2DBitIdentityTest \\");
            out.add("#     -D" + WRITE_PROPERTY + "=$PWD/cnn4j-core/src/test/resources/io/cnn4j/layers/" + FIXTURE);
            out.add("# which adds new cases and refuses to change recorded ones (unless -D" + REPLACE_PROPERTY + "=true).");
            out.add("# key: input-filters-kernel-stride-padding-bias-activation backend threads algorithm batches [nodx] | hashes");
        }
        for (String line : old) {
            if (!line.startsWith("#") && !line.isBlank() && !line.startsWith(vl + " ")) {
                out.add(line);
            }
        }
        for (Map.Entry<String, String> e : actual.entrySet()) {
            out.add(vl + " " + e.getKey() + " | " + e.getValue());
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        Files.write(path, out, StandardCharsets.UTF_8);
    }
}
