package io.cnn4j.study;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StudyTest {
    @Test
    void runsEveryTrialOnceWritesTheReportAndSkipsFinishedTrialsOnRerun(@TempDir Path dir) throws Exception {
        StudyConfig config = StudyFixtures.tiny(dir, 2, 2, null, 2);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Study.Outcome first = Study.run(config, new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        String log = buf.toString(StandardCharsets.UTF_8);
        assertThat(first.trialsRun()).isEqualTo(10);
        Map<String, ResultsFile.TrialLog> logs = new ResultsFile(first.directory().resolve("results.jsonl")).read();
        assertThat(logs).hasSize(10);
        for (ResultsFile.TrialLog l : logs.values()) {
            assertThat(l.finished()).isTrue();
            assertThat(l.epochs().keySet()).containsExactly(0, 1);
        }
        List<String> lines = Files.readAllLines(first.directory().resolve("results.jsonl"));
        assertThat(lines).hasSize(10 * 3);
        assertThat(lines.get(0)).contains("\"spec\"", "\"versions\"", "\"nominalRate\"", "\"pooledZeroRate\"", "\"backend\":\"scalar\"");
        assertThat(log).contains("epoch 2/2", "done");
        assertThat(first.analysis().variants()).hasSize(5);
        assertThat(first.analysis().comparisons()).hasSize(4);
        assertThat(Files.readString(first.html())).contains("data:image/png;base64,", first.analysis().best().variant().name());
        assertThat(Files.readString(first.markdown())).contains("## Reproduce", "accuracy.png");
        assertThat(first.directory().resolve("accuracy.png")).exists();
        // spatial before/after with max pooling: same mask, commuting op -> identical training here (on larger
        // runs float rounding can tie two scaled inputs of a window and route a gradient differently)
        Map<Long, Double> before = new java.util.TreeMap<>(), after = new java.util.TreeMap<>();
        for (ResultsFile.TrialLog l : logs.values()) {
            if (l.trial().variant().dropout().equals("spatial")) {
                (l.trial().variant().position().equals("before") ? before : after).put(l.trial().seed(), l.toResult().testAccuracy());
            }
        }
        assertThat(before).isEqualTo(after);

        Study.Outcome second = Study.run(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        assertThat(second.trialsRun()).isZero();
        assertThat(Files.readAllLines(first.directory().resolve("results.jsonl"))).isEqualTo(lines);
    }
}
