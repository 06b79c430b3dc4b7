package io.cnn4j.cli;

import io.cnn4j.study.StudyConfig;
import io.cnn4j.study.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StudyCommandTest {
    static StudyConfig parse(String... args) {
        CommandLine cl = Main.commandLine();
        CommandLine.ParseResult pr = cl.parseArgs(prepend("study", args));
        StudyCommand cmd = (StudyCommand) pr.subcommand().commandSpec().userObject();
        return cmd.config(List.of(args));
    }

    static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void quickPresetIsTheDefaultAndOptionsOverrideIt() {
        StudyConfig quick = parse();
        assertThat(quick.preset()).isEqualTo("quick");
        assertThat(quick.data().name()).isEqualTo("fashion-mnist-subset");
        assertThat(quick.poolings()).containsExactly("max");
        assertThat(quick.variantList(4)).hasSize(5);
        assertThat(quick.baselineVariant()).isEqualTo(Variant.nominal("max", "dropout", "after", 0.25));
        assertThat(quick.command()).isEqualTo("./cnn4j study");

        StudyConfig c = parse("--seeds", "2", "--epochs", "1", "--pooling", "max,avg", "--rates", "both", "--subset", "500",
                "--threads", "3", "--variants", "none,dropout-before,dropout-after", "--baseline", "avg:none");
        assertThat(c.seeds()).isEqualTo(2);
        assertThat(c.training().epochs()).isEqualTo(1);
        assertThat(c.data().trainSize()).isEqualTo(500);
        assertThat(c.threads()).isEqualTo(3);
        // per pooling: none, before, matched before, after
        assertThat(c.variantList(4)).hasSize(8);
        assertThat(c.baselineVariant()).isEqualTo(Variant.none("avg"));
        assertThat(c.command()).isEqualTo("./cnn4j study --seeds 2 --epochs 1 --pooling max,avg --rates both --subset 500 --threads 3 "
                + "--variants none,dropout-before,dropout-after --baseline avg:none");
        assertThat(c.studyId()).isNotEqualTo(quick.studyId()).isEqualTo(parse("--seeds", "2", "--epochs", "1", "--pooling", "max,avg",
                "--rates", "both", "--subset", "500", "--threads", "1", "--variants", "none,dropout-before,dropout-after", "--baseline", "avg:none").studyId());

        StudyConfig full = parse("--preset", "full");
        assertThat(full.data().name()).isEqualTo("fashion-mnist");
        assertThat(full.seeds()).isEqualTo(5);
        assertThat(full.poolings()).containsExactly("max", "avg");
    }

    @Test
    void designOptionsAndTheAnswerPreset() {
        StudyConfig c = parse("--optimizer", "sgd", "--rate", "0.1,0.25,0.5", "--margin", "0.5", "--select", "last", "--patience", "3");
        assertThat(c.training().optimizerName()).isEqualTo("sgd");
        assertThat(c.training().learningRate()).isEqualTo(0.01);
        assertThat(c.training().createOptimizer().name()).isEqualTo("SGD");
        assertThat(c.training().patience()).isEqualTo(3);
        assertThat(c.allRates()).containsExactly(0.1, 0.25, 0.5);
        assertThat(c.rate()).isEqualTo(0.1);
        assertThat(c.margin()).isEqualTo(0.005);
        assertThat(c.selection()).isEqualTo(io.cnn4j.study.Selection.LAST);
        // none once, then before/after/spatial before/after at each of the three rates
        assertThat(c.variantList(4)).hasSize(1 + 3 * 4);
        assertThat(c.baselineVariant()).isEqualTo(Variant.nominal("max", "dropout", "after", 0.1));
        assertThat(c.studyId()).isNotEqualTo(parse("--optimizer", "sgd", "--rate", "0.1").studyId());
        // the margin and the selection are analysis choices: same study, same directory
        assertThat(c.studyId()).isEqualTo(parse("--optimizer", "sgd", "--rate", "0.1,0.25,0.5", "--patience", "3").studyId());

        StudyConfig answer = parse("--preset", "answer");
        assertThat(answer.preset()).isEqualTo("answer");
        assertThat(answer.data().name()).isEqualTo("fashion-mnist");
        assertThat(answer.data().testSize()).isZero();
        assertThat(answer.seeds()).isEqualTo(StudyCommand.ANSWER_SEEDS);
        assertThat(answer.training().epochs()).isEqualTo(StudyCommand.ANSWER_EPOCHS);
        assertThat(answer.selection()).isEqualTo(io.cnn4j.study.Selection.BEST);
        // max and avg pooling × (none, element-wise before at the nominal and the matched rate, after, spatial)
        List<Variant> vs = answer.variantList(4);
        assertThat(vs).hasSize(10);
        assertThat(vs).contains(Variant.matchedBefore("avg", 0.25, 4), Variant.nominal("avg", "spatial", "after", 0.25),
                Variant.nominal("max", "dropout", "before", 0.25), Variant.none("max"));
    }

    @Test
    void badDesignOptionsAreUsageErrors() {
        assertThat(run("study", "--optimizer", "rmsprop")).isEqualTo(2);
        assertThat(run("study", "--margin", "0")).isEqualTo(2);
        assertThat(run("study", "--select", "median")).isEqualTo(2);
    }

    @Test
    void studyFileListsOwnVariants(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("study.json");
        Files.writeString(f, """
                {"variants": [{"pooling": "max", "dropout": "spatial", "position": "after", "rate": 0.1},
                              {"pooling": "avg", "dropout": "none"}],
                 "seeds": 4}
                """);
        StudyConfig c = parse("--study-file", f.toString());
        assertThat(c.preset()).isEqualTo("custom");
        assertThat(c.seeds()).isEqualTo(4);
        assertThat(c.variantList(4)).containsExactly(Variant.nominal("max", "spatial", "after", 0.1), Variant.none("avg"));
        Files.writeString(f, "{\"variants\": [{\"pooling\": \"max\", \"dropout\": \"dropout\", \"position\": \"inside\", \"rate\": 0.1}]}");
        int code = run("study", "--study-file", f.toString());
        assertThat(code).isEqualTo(2); // a bad study file is a usage error (issue 15)
    }

    @Test
    void runsAStudyAndQuotesItsExactCommandInTheReport(@TempDir Path dir) throws Exception {
        String[] args = {"study", "--data", "synthetic:12x12x1:4", "--model", "simple-cnn", "--subset", "96", "--test-size", "48",
                "--seeds", "1", "--epochs", "1", "--variants", "none,dropout-after", "--backend", "scalar", "--threads", "1",
                "--out", dir.toString()};
        assertThat(run(args)).isEqualTo(0);
        try (var dirs = Files.list(dir)) {
            Path study = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
            String md = Files.readString(study.resolve("report.md"));
            assertThat(md).contains("./cnn4j study --data synthetic:12x12x1:4 --model simple-cnn --subset 96 --test-size 48 --seeds 1 "
                    + "--epochs 1 --variants none,dropout-after --backend scalar --threads 1 --out " + dir);
            assertThat(md).contains("| GEMM backend used | scalar |");
            assertThat(Files.readAllLines(study.resolve("results.jsonl"))).hasSize(2 * 2);
        }
    }

    @Test
    void badOptionValuesAreUsageErrorsWithTheValue() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("study", "--preset", "medium")).isEqualTo(2);
        assertThat(err.toString()).contains("medium");
    }

    static int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(new StringWriter()));
        return cl.execute(args);
    }
}
