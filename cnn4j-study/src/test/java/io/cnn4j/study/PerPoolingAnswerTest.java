package io.cnn4j.study;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * "Before or after?" within each pooling type: a study with max and average pooling gets one
 * generated region per pooling type in report.md, each comparing only that pooling type's variants
 * with its own baseline placement (Holm across its own comparisons), and the regions stay checkable
 * against results.jsonl like the study-wide one.
 */
class PerPoolingAnswerTest {

    @Test
    void aStudyWithTwoPoolingTypesGetsOneCheckedRegionPerPoolingType(@TempDir Path dir) throws Exception {
        StudyConfig tiny = StudyFixtures.tiny(dir, 2, 1, List.of("none", "dropout-before", "dropout-after"), 2);
        StudyConfig config = new StudyConfig(tiny.preset(), tiny.data(), tiny.model(), List.of("max", "avg"), tiny.rate(), tiny.rates(),
                tiny.placements(), null, null, tiny.seeds(), tiny.training(), tiny.backend(), tiny.threads(), dir, tiny.command(),
                tiny.allRates(), tiny.margin(), tiny.selection());
        Study.Outcome outcome = Study.run(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        Path studyDir = outcome.directory();
        String md = Files.readString(studyDir.resolve("report.md"), StandardCharsets.UTF_8);
        List<Headline.Region> regions = Headline.regions(md, "report.md");

        // the study-wide region (all 6 variants, 5 comparisons) and one per pooling type (3 variants, 2 comparisons)
        assertThat(regions).hasSize(3);
        assertThat(regions.get(0).params().pooling()).isNull();
        assertThat(regions.get(0).body()).contains("across the 5 comparison(s)", "avg dropout-before", "max dropout-before");
        Headline.Region max = regions.get(1), avg = regions.get(2);
        assertThat(max.params().pooling()).isEqualTo("max");
        assertThat(max.params().baseline()).isEqualTo("max:dropout-after:0.25");
        assertThat(max.body()).startsWith("Max pooling only.").contains("across the 2 comparison(s)", "max dropout-before", "max no-dropout")
                .doesNotContain("avg ");
        assertThat(avg.params().pooling()).isEqualTo("avg");
        assertThat(avg.params().baseline()).isEqualTo("avg:dropout-after:0.25");
        assertThat(avg.body()).startsWith("Average pooling only.").contains("across the 2 comparison(s)", "avg dropout-before")
                .doesNotContain("max ");
        // the avg baseline's own row says "baseline"; in the study-wide table it is compared with max dropout-after
        assertThat(avg.body()).containsPattern("\\| avg dropout-after 0\\.25 \\| 2 \\| [^\\n]* \\| baseline \\|");
        assertThat(regions.get(0).body()).doesNotContainPattern("\\| avg dropout-after 0\\.25 \\| 2 \\| [^\\n]* \\| baseline \\|");

        // the per-pooling numbers are the same paired differences a one-pooling analysis of those trials gives
        List<TrialResult> all = ResultsFile.finishedResults(new ResultsFile(studyDir.resolve("results.jsonl")).read().values());
        List<TrialResult> avgTrials = all.stream().filter(r -> r.trial().variant().pooling().equals("avg")).toList();
        Variant avgBase = Headline.parseBaseline("avg:dropout-after:0.25");
        Analysis within = new Analysis(outcome.analysis().variants().stream().map(Analysis.VariantStats::variant)
                .filter(v -> v.pooling().equals("avg")).toList(), avgBase, avgTrials, config.margin(), config.selection());
        assertThat(within.comparisons()).hasSize(2);
        for (Analysis.Comparison c : within.comparisons()) {
            assertThat(avg.body()).contains("| " + c.variant().name() + " | " + c.paired().n() + " | ",
                    ReportWriter.signedPts(c.paired().meanDiff()) + " (" + ReportWriter.signedPts(c.paired().ciLow()) + " to ");
        }

        // checkable and refreshable like the study-wide region; an edited number is put back
        assertThat(Headline.refresh(md, studyDir, "report.md")).isEqualTo(md);
        String tampered = md.replace("Average pooling only.", "Average pooling only!");
        assertThat(tampered).isNotEqualTo(md);
        assertThat(Headline.refresh(tampered, studyDir, "report.md")).isEqualTo(md);

        // a forest chart per pooling type, named in report.md and present on disk
        assertThat(md).contains("(forest-max.png)", "(forest-avg.png)", "## Before or after, within each pooling type");
        assertThat(studyDir.resolve("forest-max.png")).isNotEmptyFile();
        assertThat(studyDir.resolve("forest-avg.png")).isNotEmptyFile();
        assertThat(Files.readString(outcome.html(), StandardCharsets.UTF_8)).contains("Before or after, within each pooling type",
                "Average pooling (baseline avg dropout-after 0.25)");
    }

    @Test
    void aStudyWithOnePoolingTypeHasNoPerPoolingSection(@TempDir Path dir) throws Exception {
        StudyConfig config = StudyFixtures.tiny(dir, 2, 1, List.of("dropout-before", "dropout-after"), 2);
        Study.Outcome outcome = Study.run(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        String md = Files.readString(outcome.html().resolveSibling("report.md"), StandardCharsets.UTF_8);
        assertThat(Headline.regions(md, "report.md")).hasSize(1);
        assertThat(md).doesNotContain("within each pooling type");
    }

    @Test
    void markersWithAnUnknownAttributeOrAMismatchedPoolingAreRejectedByName(@TempDir Path dir) throws Exception {
        String unknown = "<!-- answer:begin source=results.jsonl baseline=max:dropout-after:0.25 margin=0.3 select=best poolng=max -->\nx\n"
                + "<!-- answer:end -->";
        assertThatThrownBy(() -> Headline.regions(unknown, "doc.md")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("doc.md").hasMessageContaining("unknown attribute poolng=");
        String badMargin = "<!-- answer:begin source=results.jsonl baseline=max:dropout-after:0.25 margin=abc select=best -->\nx\n"
                + "<!-- answer:end -->";
        assertThatThrownBy(() -> Headline.regions(badMargin, "doc.md")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("margin=abc");

        StudyConfig config = StudyFixtures.tiny(dir, 2, 1, List.of("dropout-before", "dropout-after"), 1);
        Study.Outcome outcome = Study.run(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        Path studyDir = outcome.html().getParent();
        Headline.Params mismatch = new Headline.Params("results.jsonl", "max:dropout-after:0.25", 0.003, Selection.BEST, "avg");
        assertThatThrownBy(() -> Headline.render(mismatch, studyDir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pooling=avg but the baseline max:dropout-after:0.25 pools with max");
        Headline.Params absent = new Headline.Params("results.jsonl", "avg:dropout-after:0.25", 0.003, Selection.BEST, "avg");
        assertThatThrownBy(() -> Headline.render(absent, studyDir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no trials with pooling avg");
    }
}
