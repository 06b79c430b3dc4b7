package io.cnn4j.spark.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.study.DataSpec;
import io.cnn4j.study.Study;
import io.cnn4j.study.StudyConfig;
import io.cnn4j.study.TrainingSpec;
import org.apache.spark.SparkConf;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The tests' study: 2 variants × 2 seeds × 2 epochs of a small CNN on generated 12×12 images, one GEMM thread per trial. */
final class TinyStudy {
    static final int SEEDS = 2;
    static final int EPOCHS = 2;
    static final List<String> PLACEMENTS = List.of("none", "dropout-after");
    static final int TRIALS = SEEDS * PLACEMENTS.size();
    static final ObjectMapper JSON = new ObjectMapper();
    /** Training images of the kill tests: epochs long enough (about a second here) to catch a trial between two. */
    static final int KILL_TRAIN = 768;

    private TinyStudy() {
    }

    /** {@code train} images: more make each epoch longer (the kill tests need time to hit a running trial). */
    static StudyConfig config(Path out, int train) {
        return new StudyConfig("test", new DataSpec("synthetic:12x12x1:4", train, 96, 0.25), "simple-cnn", List.of("max"), 0.25, "nominal",
                PLACEMENTS, null, null, SEEDS, new TrainingSpec(EPOCHS, 16, 0.003), "scalar", 1, out, "spark study test");
    }

    private static final Map<Integer, List<String>> REFERENCE = new HashMap<>();

    /** The local runner's results lines for the tiny study with {@code train} images, computed once per test JVM. */
    static synchronized List<String> reference(int train) throws Exception {
        List<String> lines = REFERENCE.get(train);
        if (lines == null) {
            Path dir = Files.createTempDirectory("cnn4j-spark-reference");
            try {
                Study.Outcome o = Study.run(config(dir, train), quiet(), false);
                lines = Files.readAllLines(o.directory().resolve("results.jsonl"));
                REFERENCE.put(train, lines);
            } finally {
                try (var all = Files.walk(dir)) {
                    for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        return lines;
    }

    static SparkConf local(int threads) {
        return new SparkConf().setMaster("local[" + threads + "]").setAppName("cnn4j-spark-study-test").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
    }

    /** Each line's identity and numbers, without times, memory and thread counts, sorted. */
    static List<String> numbers(List<String> lines) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            JsonNode n = JSON.readTree(l);
            StringBuilder sb = new StringBuilder(n.get("trial").asText()).append(' ').append(n.get("type").asText());
            for (String f : List.of("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "testLoss", "testAccuracy", "trainAccuracy",
                    "bestEpoch", "threads", "backend", "rate", "spec")) {
                if (n.has(f)) {
                    sb.append(' ').append(f).append('=').append(n.get(f).toString());
                }
            }
            out.add(sb.toString());
        }
        out.sort(null);
        return out;
    }

    /** How many times each (trial, type, epoch) appears in a results file. */
    static Map<String, Integer> counts(Path results) throws Exception {
        Map<String, Integer> count = new HashMap<>();
        for (String l : Files.readAllLines(results)) {
            count.merge(SparkTrialRunner.key(JSON.readTree(l)), 1, Integer::sum);
        }
        return count;
    }

    /** A trial's attempt files (not the temporary files of a write cut short). */
    static List<Path> attempts(Path trialDir) throws java.io.IOException {
        try (var s = Files.list(trialDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The JVM flags Spark 4 needs on Java 17 and the Vector API, as the pom passes them to the tests. */
    static List<String> jvmFlags() {
        List<String> f = new ArrayList<>(List.of(System.getProperty("cnn4j.test.jvmOpens", "").trim().split("\\s+")));
        f.removeIf(String::isBlank);
        f.add("--add-modules");
        f.add("jdk.incubator.vector");
        return f;
    }
}
