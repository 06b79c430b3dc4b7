package io.cnn4j.study;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a study running in a child JVM (SIGKILL, no chance to clean up) in the middle of a trial,
 * reruns the same study, and checks that the results file then holds every trial and every epoch
 * exactly once, with the same numbers as an uninterrupted run.
 */
class ResumeTest {
    static final int SEEDS = 2;
    static final int EPOCHS = 3;
    static final List<String> PLACEMENTS = List.of("none", "dropout-before", "dropout-after");

    static StudyConfig config(Path out) {
        return new StudyConfig("test", new DataSpec("synthetic:12x12x1:4", 512, 96, 0.25), "simple-cnn", List.of("max"), 0.25, "nominal",
                PLACEMENTS, null, null, SEEDS, new TrainingSpec(EPOCHS, 16, 0.003), "scalar", 1, out, "resume test");
    }

    @Test
    void killedStudyResumesWithEveryTrialOnceAndTheSameNumbers(@TempDir Path tmp) throws Exception {
        Path reference = tmp.resolve("reference");
        Path interrupted = tmp.resolve("interrupted");
        Study.Outcome ref = Study.run(config(reference), quiet(), false);
        List<String> refLines = Files.readAllLines(ref.directory().resolve("results.jsonl"));

        Path results = config(interrupted).directory().resolve("results.jsonl");
        // two kills: each once some trial has logged an epoch but not finished
        for (int kill = 1; kill <= 2; kill++) {
            Process child = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"), StudyChild.class.getName(),
                    interrupted.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("child" + kill + ".log").toFile()).start();
            boolean midTrial = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (child.isAlive() && System.nanoTime() < deadline) {
                if (unfinishedTrialWithEpochs(results, kill)) {
                    child.destroyForcibly();
                    midTrial = true;
                    break;
                }
                Thread.sleep(5);
            }
            child.waitFor(30, TimeUnit.SECONDS);
            assertThat(midTrial).as("child %d was killed in the middle of a trial; log:%n%s", kill,
                    Files.readString(tmp.resolve("child" + kill + ".log"))).isTrue();
        }
        assertThat(config(interrupted).directory().resolve("checkpoints")).isNotEmptyDirectory();

        Study.Outcome resumed = Study.run(config(interrupted), quiet(), false);
        assertThat(resumed.trialsRun()).isLessThan(SEEDS * PLACEMENTS.size());
        List<String> lines = Files.readAllLines(results);

        Map<String, Integer> count = new HashMap<>();
        for (String l : lines) {
            JsonNode n = ResultsFile.JSON.readTree(l);
            String key = n.get("trial").asText() + "/" + n.get("type").asText() + (n.has("epoch") ? "/" + n.get("epoch").asInt() : "");
            count.merge(key, 1, Integer::sum);
        }
        assertThat(count.values()).as("every line exactly once").containsOnly(1);
        assertThat(count).hasSize(SEEDS * PLACEMENTS.size() * (EPOCHS + 1));
        assertThat(numbers(lines)).isEqualTo(numbers(refLines));
    }

    /** Whether some trial in the file has ≥ minEpochs epoch lines beyond what earlier kills left, and no final line. */
    static boolean unfinishedTrialWithEpochs(Path results, int kill) {
        if (!Files.exists(results)) {
            return false;
        }
        ResultsFile.TrialLog unfinished = null;
        int finished = 0;
        for (ResultsFile.TrialLog l : new ResultsFile(results).read().values()) {
            if (l.finished()) {
                finished++;
            } else if (!l.epochs().isEmpty()) {
                unfinished = l;
            }
        }
        // the second kill waits until the rerun got past the first kill's trial
        return unfinished != null && finished >= kill;
    }

    /** Each line's identity and numbers, without times, memory and thread counts, sorted. */
    static List<String> numbers(List<String> lines) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            JsonNode n = ResultsFile.JSON.readTree(l);
            StringBuilder sb = new StringBuilder(n.get("trial").asText()).append(' ').append(n.get("type").asText());
            for (String f : List.of("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "testLoss", "testAccuracy", "trainAccuracy", "bestEpoch")) {
                if (n.has(f)) {
                    sb.append(' ').append(f).append('=').append(n.get(f).asText());
                }
            }
            out.add(sb.toString());
        }
        out.sort(null);
        return out;
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
