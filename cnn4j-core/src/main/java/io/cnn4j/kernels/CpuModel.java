package io.cnn4j.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The processor this JVM runs on, as {@code /proc/cpuinfo} names it (model name, family, model,
 * widest vector extension): benchmarks print it because these hosts change CPU generation between
 * sessions and a number without its CPU compares with nothing; no Keras counterpart.
 *
 * @param modelName the "model name" line, e.g. "AMD EPYC 9B45"
 * @param family    the "cpu family" number (25 = Zen 3/4, 26 = Zen 5 for AMD), -1 when unknown
 * @param model     the "model" number, -1 when unknown
 * @param vectorIsa the widest vector extension in the flags: avx512f, avx2, sse2 or unknown
 */
public record CpuModel(String modelName, int family, int model, String vectorIsa) {

    /** Reads {@code /proc/cpuinfo}; on other systems the JVM's {@code os.arch} and unknowns. */
    public static CpuModel current() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return new CpuModel(System.getProperty("os.arch", "unknown"), -1, -1, "unknown");
        }
    }

    /** The first processor's entries of a {@code /proc/cpuinfo} text. */
    static CpuModel parse(List<String> lines) {
        String name = "unknown";
        String flags = "";
        int family = -1;
        int model = -1;
        for (String line : lines) {
            if (line.isBlank() && !name.equals("unknown")) {
                break; // the first processor is enough: all are the same model here
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "model name" -> name = value;
                case "cpu family" -> family = parseInt(value);
                case "model" -> model = parseInt(value);
                case "flags" -> flags = " " + value + " ";
                default -> { }
            }
        }
        String isa = flags.contains(" avx512f ") ? "avx512f" : flags.contains(" avx2 ") ? "avx2"
                : flags.contains(" sse2 ") ? "sse2" : "unknown";
        return new CpuModel(name, family, model, isa);
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One line, e.g. "AMD EPYC, family 25 model 1, avx2". */
    public static String describe() {
        return current().toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s, family %d model %d, %s", modelName, family, model, vectorIsa);
    }
}
