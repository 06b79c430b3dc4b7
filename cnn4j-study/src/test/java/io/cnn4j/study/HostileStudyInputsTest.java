package io.cnn4j.study;

import io.cnn4j.model.InvalidSettingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 15 for the study: results are never reused for another model (the id hashes the model
 * file's content), study files and results files are read strictly with the file (and line)
 * named, a baseline outside the run is refused before training, and report.md shows user text
 * literally.
 */
class HostileStudyInputsTest {
    @TempDir
    Path dir;

    private static final String MODEL = """
            {"class_name": "Sequential", "config": {"name": "tiny", "layers": [
             {"class_name": "InputLayer", "config": {"batch_shape": [null, 12, 12, 1]}},
             {"class_name": "Conv2D", "config": {"filters": FILTERS, "kernel_size": [3, 3], "activation": "relu"}},
             {"class_name": "MaxPooling2D", "config": {"pool_size": [2, 2]}},
             {"class_name": "Flatten", "config": {}},
             {"class_name": "Dense", "config": {"units": 4, "activation": "softmax"}}]}}
            """;

    private StudyConfig config(Path model) {
        return new StudyConfig("test", new DataSpec("synthetic:12x12x1:4", 64, 32, 0.25), model.toString(), List.of("max"), 0.25, "nominal",
                List.of("none"), null, null, 1, new TrainingSpec(1, 32, 0.003), "scalar", 1, dir.resolve("out"), "test");
    }

    @Test
    void aStudyRerunAfterTheModelFileChangesTrainsAgain() throws Exception {
        Path model = dir.resolve("model.json");
        Files.writeString(model, MODEL.replace("FILTERS", "2"));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Study.Outcome first = Study.run(config(model), quiet, false);
        assertThat(first.trialsRun()).isEqualTo(1);
        assertThat(Study.run(config(model), quiet, false).trialsRun()).as("same content: nothing to run").isZero();
        // same path, other content: another study, trained again, its own results
        Files.writeString(model, MODEL.replace("FILTERS", "3"));
        assertThat(config(model).studyId()).isNotEqualTo(first.directory().getFileName().toString());
        Study.Outcome edited = Study.run(config(model), quiet, false);
        assertThat(edited.trialsRun()).isEqualTo(1);
        assertThat(edited.directory()).isNotEqualTo(first.directory());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "variants of numbers    | {\"variants\": [1, 2]}                                                            | variants[0] must be a JSON object",
            "rate as text           | {\"variants\": [{\"dropout\": \"dropout\", \"position\": \"after\", \"rate\": \"abc\"}]} | \"rate\" must be a number, got \"abc\"",
            "seeds 1e12             | {\"variants\": [{\"dropout\": \"none\"}], \"seeds\": 1e12}                        | \"seeds\" must be between 1 and 10000",
            "duplicate key          | {\"variants\": [{\"dropout\": \"none\"}], \"seeds\": 2, \"seeds\": 3}             | duplicate key",
            "unknown key            | {\"variants\": [{\"dropout\": \"none\"}], \"sedes\": 2}                           | unknown key \"sedes\"",
            "unknown variant key    | {\"variants\": [{\"dropout\": \"none\", \"rat\": 1}]}                             | unknown key \"rat\"",
            "duplicate variant      | {\"variants\": [{\"dropout\": \"none\"}, {\"dropout\": \"none\"}]}               | listed twice",
            "broken JSON            | {\"variants\": [{\"dropout\": \"none\"}                                           | not valid JSON",
            "trailing garbage       | {\"variants\": [{\"dropout\": \"none\"}]} x                                       | not valid JSON",
            "wrong type for seeds   | {\"variants\": [{\"dropout\": \"none\"}], \"seeds\": \"3\"}                        | must be an integer",
    })
    void badStudyFilesAreUsageErrorsNamingTheFile(String what, String json, String expected) throws Exception {
        Path f = dir.resolve("study.json");
        Files.writeString(f, json);
        assertThatThrownBy(() -> StudyFile.read(f)).as(what).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining(expected);
    }

    @Test
    void aGoodStudyFileStillReads() throws Exception {
        Path f = dir.resolve("study.json");
        Files.writeString(f, "{\"variants\": [{\"pooling\": \"max\", \"dropout\": \"dropout\", \"position\": \"before\", \"rate\": 0.5},"
                + " {\"dropout\": \"none\"}], \"seeds\": 3, \"epochs\": 2.0}");
        StudyFile s = StudyFile.read(f);
        assertThat(s.variants()).hasSize(2);
        assertThat(s.seeds()).isEqualTo(3);
        assertThat(s.epochs()).isEqualTo(2);
    }

    @Test
    void aDamagedResultsLineNamesTheFileAndLine() throws Exception {
        StudyConfig tiny = StudyFixtures.tiny(dir.resolve("out"), 1, 1, List.of("none"), 1);
        Study.Outcome o = Study.run(tiny, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        Path results = o.directory().resolve("results.jsonl");
        List<String> lines = Files.readAllLines(results);
        assertThat(lines).hasSize(2);
        String[] damages = {"{\"type\": \"epoch\"}", lines.get(0).replace("\"trial\":", "\"trail\":"), "not json at all",
                lines.get(0) + " trailing", lines.get(1).replace("\"testAccuracy\":", "\"testAccuracy\":\"x\",\"was\":")};
        for (String damaged : damages) {
            Files.writeString(results, damaged + "\n" + lines.get(1) + "\n");
            assertThatThrownBy(() -> new ResultsFile(results).read()).as(damaged).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("results file " + results + " line 1").hasMessageNotContaining("Cannot invoke").hasMessageNotContaining("NullPointer");
        }
        // bytes that are not UTF-8 ("Input length = 1" before)
        byte[] bad = (lines.get(0) + "\n").getBytes(StandardCharsets.UTF_8);
        bad[10] = (byte) 0xC3;
        bad[11] = (byte) 0x28;
        Files.write(results, bad);
        Files.writeString(results, lines.get(1) + "\n", java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> new ResultsFile(results).read()).hasMessageContaining("line 1").hasMessageContaining("not UTF-8");
    }

    @Test
    void aBaselineThatIsNotInTheRunIsRefusedBeforeTraining() {
        StudyConfig tiny = StudyFixtures.tiny(dir.resolve("out"), 1, 1, List.of("none", "dropout-after"), 1);
        StudyConfig withBaseline = new StudyConfig(tiny.preset(), tiny.data(), tiny.model(), tiny.poolings(), tiny.rate(), tiny.rates(),
                tiny.placements(), null, Variant.nominal("max", "spatial", "before", 0.25), 1, tiny.training(), tiny.backend(), 1,
                tiny.outRoot(), tiny.command());
        assertThatThrownBy(() -> Study.run(withBaseline, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("is not one of this study's variants");
    }

    @Test
    void seedsAndDataSizesAreBoundedAsUsageErrors() {
        assertThatThrownBy(() -> StudyFixtures.tiny(dir, Integer.MAX_VALUE, 1, null, 1)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("--seeds must be between 1 and 10000");
        assertThatThrownBy(() -> StudyFixtures.tiny(dir, 0, 1, null, 1)).isInstanceOf(InvalidSettingException.class);
        assertThatThrownBy(() -> StudyDataLoader.raw(new DataSpec("synthetic:0x0x0:0", 0, 0, 0.1)))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("height must be between 1 and 4096, got 0");
    }

    @Test
    void markdownShowsUserTextLiterally() {
        String path = "evil](http://x.example)<script>|`x`.json";
        String md = ReportWriter.md(path);
        // every markup character is escaped: no link, no HTML tag, no table cell break, no code span
        assertThat(md).contains("evil\\](").contains("\\<script\\>").contains("\\|\\`x\\`").doesNotContain("<script>");
        assertThat(md.replace("\\", "")).isEqualTo(path);
        String code = ReportWriter.mdCode("./cnn4j study --model '```\n# owned'");
        assertThat(code).startsWith("````\n").endsWith("\n````");
    }
}
