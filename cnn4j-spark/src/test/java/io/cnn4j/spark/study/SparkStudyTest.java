package io.cnn4j.spark.study;

import io.cnn4j.study.Study;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The tiny study on Spark local[2] against the local runner: the same results, line for line, apart from timings. */
class SparkStudyTest {
    /** The report without its times (seconds, minutes) and memory figures. */
    static String untimed(Path report) throws Exception {
        return Files.readString(report).replaceAll("\\d+(\\.\\d+)? ?(s|min|MB|MiB)\\b", "T");
    }

    @Test
    void cnn4jSparkStudyTakesCnn4jStudysOptionsAndGivesItsNumbers(@TempDir Path tmp) throws Exception {
        List<String> options = List.of("--data", "synthetic:12x12x1:4", "--model", "simple-cnn", "--seeds", "2", "--epochs", "1",
                "--variants", "none,spatial-after", "--subset", "160", "--test-size", "64", "--batch-size", "16", "--backend", "scalar",
                "--threads", "1");
        List<String> local = new java.util.ArrayList<>(List.of("study", "--out", tmp.resolve("local").toString()));
        local.addAll(options);
        List<String> spark = new java.util.ArrayList<>(List.of("study", "--out", tmp.resolve("spark").toString(), "--master", "local[2]",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1"));
        spark.addAll(options);
        assertThat(io.cnn4j.cli.Main.commandLine().execute(local.toArray(String[]::new))).isZero();
        assertThat(io.cnn4j.spark.SparkMain.commandLine().execute(spark.toArray(String[]::new))).isZero();
        List<String> a = Files.readAllLines(only(tmp.resolve("local")).resolve("results.jsonl"));
        List<String> b = Files.readAllLines(only(tmp.resolve("spark")).resolve("results.jsonl"));
        assertThat(TinyStudy.numbers(b)).isEqualTo(TinyStudy.numbers(a)).hasSize(2 * 2 * 2);
        assertThat(io.cnn4j.spark.SparkMain.commandLine().execute("study", "--preset", "huge")).isEqualTo(2);
    }

    private static Path only(Path out) throws Exception {
        try (var s = Files.list(out)) {
            List<Path> dirs = s.toList();
            assertThat(dirs).hasSize(1);
            return dirs.get(0);
        }
    }

    @Test
    void localModeWritesTheLocalRunnersResultsAndReport(@TempDir Path tmp) throws Exception {
        Study.Outcome local = Study.run(TinyStudy.config(tmp.resolve("local"), 192), TinyStudy.quiet(), false);
        Study.Outcome spark;
        SparkTrialEngine engine;
        try (JavaSparkContext sc = new JavaSparkContext(TinyStudy.local(2))) {
            engine = new SparkTrialEngine(sc, null);
            spark = Study.run(TinyStudy.config(tmp.resolve("spark"), 192), TinyStudy.quiet(), false, engine);
        }
        List<String> localLines = Files.readAllLines(local.directory().resolve("results.jsonl"));
        List<String> sparkLines = Files.readAllLines(spark.directory().resolve("results.jsonl"));
        assertThat(TinyStudy.numbers(sparkLines)).isEqualTo(TinyStudy.numbers(localLines));
        assertThat(TinyStudy.counts(spark.directory().resolve("results.jsonl")).values()).containsOnly(1).hasSize(TinyStudy.TRIALS * (TinyStudy.EPOCHS + 1));
        assertThat(spark.trialsRun()).isEqualTo(TinyStudy.TRIALS);
        // same analysis, same mechanism checks (seed 0's final weights came back from the Spark store)
        for (int i = 0; i < local.analysis().variants().size(); i++) {
            var a = local.analysis().variants().get(i);
            var b = spark.analysis().variants().get(i);
            assertThat(b.testAccuracy()).isEqualTo(a.testAccuracy());
            assertThat(b.gap()).isEqualTo(a.gap());
            assertThat(b.meanValAccuracy()).containsExactly(a.meanValAccuracy());
        }
        assertThat(spark.analysis().comparisons().toString()).isEqualTo(local.analysis().comparisons().toString());
        assertThat(untimed(spark.markdown())).isEqualTo(untimed(local.markdown()));
        assertThat(spark.mechanisms().toString()).isEqualTo(local.mechanisms().toString());
        // one task per trial, the data read once per executor JVM (here: the driver's copy, no read at all)
        List<String> receipts = engine.lastRunner().receipts();
        assertThat(receipts).hasSize(TinyStudy.TRIALS);
        Map<String, Integer> loads = new HashMap<>();
        for (String r : receipts) {
            var n = TinyStudy.JSON.readTree(r);
            loads.merge(n.get("executor").asText(), n.get("dataLoads").asInt(), Math::max);
        }
        assertThat(loads.values()).allSatisfy(l -> assertThat(l).isLessThanOrEqualTo(1));
        // checkpoints are gone once trials finish, except seed 0's final weights
        assertThat(Files.list(spark.directory().resolve("checkpoints")).map(p -> p.getFileName().toString()).toList())
                .allSatisfy(n -> assertThat(n).endsWith(".final"));
    }
}
