package io.cnn4j.cli;

import io.cnn4j.io.AtomicFiles;
import io.cnn4j.study.Headline;
import io.cnn4j.study.Selection;
import io.cnn4j.study.Study;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Re-renders a placement study's report (statistics, charts, index.html, report.md) from its results.jsonl, "
                + "without training. Trained-model mechanism checks are included when DIR still has seed 0's final checkpoints.",
                "With --docs, rewrites (or with --check, verifies) the generated answer regions of Markdown files: everything between "
                        + "<!-- answer:begin source=... baseline=... margin=... select=... --> and <!-- answer:end -->, computed from "
                        + "the results file the marker names (relative to the Markdown file)."})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", description = "study directory holding results.jsonl (and study.json)")
    Path dir;

    @Option(names = "--out", description = "write the report here instead of DIR (results.jsonl is copied along)")
    Path out;

    @Option(names = "--baseline", description = "baseline as pooling:placement:rate, e.g. max:dropout-after:0.25 (default: the study's)")
    String baseline;

    @Option(names = "--margin", description = "equivalence margin in accuracy points (default: the study's, else 0.3)")
    Double margin;

    @Option(names = "--select", description = "best or last (default: the study's, else best)")
    String select;

    @Option(names = "--docs", split = ",", description = "Markdown files whose answer regions are regenerated from their results files")
    List<Path> docs;

    @Option(names = "--check", description = "with --docs: only verify that the regions match the results; exit 1 if one does not")
    boolean check;

    @Override
    public Integer call() throws IOException {
        if (dir == null && (docs == null || docs.isEmpty())) {
            throw new ParameterException(spec.commandLine(), "give a study directory, --docs FILES, or both");
        }
        if (margin != null && !(margin > 0 && margin < 100)) {
            throw new ParameterException(spec.commandLine(), "--margin is in accuracy points and must be in (0, 100), got " + margin);
        }
        Selection selection;
        try {
            selection = select == null ? null : Selection.parse(select);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (dir != null) {
            Study.rerender(dir, baseline, margin == null ? null : margin / 100, selection, out != null ? out : dir, System.out);
        }
        int stale = 0;
        for (Path doc : docs == null ? List.<Path>of() : docs) {
            String text = Files.readString(doc, StandardCharsets.UTF_8);
            if (Headline.regions(text, doc.toString()).isEmpty()) {
                throw new IllegalArgumentException(doc + " has no <!-- answer:begin ... --> region");
            }
            Path root = doc.toAbsolutePath().getParent();
            String fresh = Headline.refresh(text, root, doc.toString());
            if (fresh.equals(text)) {
                System.out.println(doc + ": answer regions match their results");
            } else if (check) {
                System.out.println(doc + ": answer regions differ from their results (run cnn4j report --docs " + doc + ")");
                stale++;
            } else {
                AtomicFiles.write(doc, fresh.getBytes(StandardCharsets.UTF_8));
                System.out.println(doc + ": answer regions regenerated");
            }
        }
        return stale == 0 ? 0 : 1;
    }
}
