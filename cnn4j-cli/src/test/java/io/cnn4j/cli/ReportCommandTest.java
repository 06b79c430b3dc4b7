package io.cnn4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ReportCommandTest {
    @Test
    void reRendersAStudyFromItsResultsAndKeepsDocsInStep(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("runs");
        assertThat(StudyCommandTest.run("study", "--data", "synthetic:12x12x1:4", "--model", "simple-cnn", "--subset", "96", "--test-size",
                "48", "--seeds", "2", "--epochs", "2", "--variants", "none,dropout-before,dropout-after", "--backend", "scalar",
                "--threads", "1", "--out", out.toString())).isEqualTo(0);
        Path study;
        try (var dirs = Files.list(out)) {
            study = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        String region = regionOf(Files.readString(study.resolve("report.md")));

        // re-rendered elsewhere from results.jsonl + study.json alone: the same generated region
        Path again = dir.resolve("again");
        assertThat(StudyCommandTest.run("report", study.toString(), "--out", again.toString())).isEqualTo(0);
        assertThat(regionOf(Files.readString(again.resolve("report.md")))).isEqualTo(region);
        assertThat(again.resolve("forest.png")).exists();
        assertThat(Files.readString(again.resolve("report.md"))).contains("./cnn4j study --data synthetic:12x12x1:4");

        // a README quoting the study: --check passes, an edited number fails it, --docs repairs it
        Path readme = study.resolve("README.md");
        Files.writeString(readme, "# notes\n\n" + region.replace("source=results.jsonl", "source=results.jsonl") + "\nmore text\n");
        assertThat(StudyCommandTest.run("report", "--docs", readme.toString(), "--check")).isZero();
        String good = Files.readString(readme);
        Files.writeString(readme, good.replaceFirst("\\| max no-dropout \\| 2 \\| ", "| max no-dropout | 3 | "));
        assertThat(Files.readString(readme)).isNotEqualTo(good);
        assertThat(StudyCommandTest.run("report", "--docs", readme.toString(), "--check")).isEqualTo(1);
        assertThat(StudyCommandTest.run("report", "--docs", readme.toString())).isZero();
        assertThat(Files.readString(readme)).isEqualTo(good);

        assertThat(StudyCommandTest.run("report", dir.resolve("nothing-here").toString())).isEqualTo(1);
        assertThat(StudyCommandTest.run("report")).isEqualTo(2);
    }

    static String regionOf(String md) {
        int b = md.indexOf("<!-- answer:begin");
        int e = md.indexOf("<!-- answer:end -->");
        assertThat(b).isNotNegative();
        assertThat(e).isGreaterThan(b);
        return md.substring(b, e + "<!-- answer:end -->".length());
    }
}
