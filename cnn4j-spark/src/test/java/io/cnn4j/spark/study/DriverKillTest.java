package io.cnn4j.spark.study;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnn4j.study.ResultsFile;
import io.cnn4j.study.Study;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills the driver JVM of a Spark study (SIGKILL, local mode: its executors die with it) once a
 * trial has finished and another is between epochs, reruns the same study, and checks that the
 * finished trials are not run again, the interrupted one continues from its checkpoint, and the
 * results are the local runner's, every line once.
 */
class DriverKillTest {
    static final int TRAIN = TinyStudy.KILL_TRAIN;

    /** Whether some trial's attempt file (what the executor wrote, ahead of the results file) has an epoch but no final line. */
    static boolean betweenEpochs(Path attempts) throws Exception {
        if (!Files.isDirectory(attempts)) {
            return false;
        }
        for (Path trial : Files.list(attempts).toList()) {
            for (Path a : TinyStudy.attempts(trial)) {
                String text = Files.readString(a);
                if (text.contains("\"type\":\"epoch\"") && !text.contains("\"type\":\"trial\"")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void rerunSkipsFinishedTrialsAndResumesTheOthers(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("spark");
        Path dir = TinyStudy.config(out, TRAIN).directory();
        Path results = dir.resolve("results.jsonl");
        Path log = tmp.resolve("driver.log");
        List<String> command = new ArrayList<>(List.of(TinyStudy.javaBin()));
        command.addAll(TinyStudy.jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SparkStudyChild.class.getName(), out.toString(),
                Integer.toString(TRAIN)));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process driver = pb.start();
        Set<String> finishedAtKill = new TreeSet<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (driver.isAlive() && System.nanoTime() < deadline) {
                if (Files.exists(results)) {
                    Set<String> finished = new TreeSet<>();
                    for (ResultsFile.TrialLog l : new ResultsFile(results).read().values()) {
                        if (l.finished()) {
                            finished.add(l.trial().id());
                        }
                    }
                    if (!finished.isEmpty() && betweenEpochs(dir.resolve("attempts"))) {
                        driver.destroyForcibly();
                        finishedAtKill.addAll(finished);
                        break;
                    }
                }
                Thread.sleep(20);
            }
        } finally {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
            driver.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(finishedAtKill).as("the driver was killed with a trial finished and one between epochs; its log:%n%s", Files.readString(log))
                .isNotEmpty().hasSizeLessThan(TinyStudy.TRIALS);
        // finished trials (as of the kill: the results file may have gained one more since) leave no checkpoints; the interrupted ones do
        assertThat(dir.resolve("checkpoints")).isNotEmptyDirectory();

        Study.Outcome rerun;
        try (JavaSparkContext sc = new JavaSparkContext(TinyStudy.local(2))) {
            rerun = Study.run(TinyStudy.config(out, TRAIN), TinyStudy.quiet(), false, new SparkTrialEngine(sc, null));
        }
        assertThat(rerun.trialsRun()).isLessThanOrEqualTo(TinyStudy.TRIALS - finishedAtKill.size());
        for (String t : finishedAtKill) {
            assertThat(TinyStudy.attempts(dir.resolve("attempts").resolve(t))).as("attempts of finished trial %s", t).hasSize(1);
        }
        // some trial ran twice, and its second attempt restored the first one's epochs (same logged times) instead of retraining them
        boolean resumed = false;
        for (Path trial : Files.list(dir.resolve("attempts")).toList()) {
            List<Path> attempts = TinyStudy.attempts(trial);
            if (attempts.size() >= 2) {
                Set<Double> firstEpochSeconds = new TreeSet<>();
                for (Path a : attempts) {
                    JsonNode first = TinyStudy.JSON.readTree(Files.readAllLines(a).get(0));
                    assertThat(first.get("epoch").asInt()).isEqualTo(0);
                    firstEpochSeconds.add(first.get("seconds").asDouble());
                }
                assertThat(firstEpochSeconds).as("epoch 0 of %s timed once, then restored", trial).hasSize(1);
                resumed = true;
            }
        }
        assertThat(resumed).as("a trial continued from its checkpoint").isTrue();
        assertThat(TinyStudy.counts(results).values()).containsOnly(1).hasSize(TinyStudy.TRIALS * (TinyStudy.EPOCHS + 1));
        assertThat(TinyStudy.numbers(Files.readAllLines(results)))
                .isEqualTo(TinyStudy.numbers(TinyStudy.reference(TRAIN)));
    }
}
