package io.cnn4j.study;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The docs cannot drift from the results: every generated answer region in README.md and in
 * docs/results/&lt;name&gt;/report.md must equal what {@code cnn4j report} computes from the results
 * file its marker names (to refresh them: {@code ./cnn4j report --docs README.md,docs/results/<name>/report.md}).
 */
class DocsConsistencyTest {
    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isDirectory(p.resolve("cnn4j-study")) && Files.exists(p.resolve("README.md")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new AssertionError("repository root (with README.md and cnn4j-study/) not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static List<Path> documents(Path root) throws IOException {
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        Path results = root.resolve("docs/results");
        if (Files.isDirectory(results)) {
            try (Stream<Path> dirs = Files.list(results)) {
                dirs.sorted().map(d -> d.resolve("report.md")).filter(Files::exists).forEach(docs::add);
            }
        }
        return docs;
    }

    @Test
    void everyGeneratedRegionMatchesItsResultsFile() throws IOException {
        Path root = repoRoot();
        int regions = 0;
        for (Path doc : documents(root)) {
            String text = Files.readString(doc, StandardCharsets.UTF_8);
            List<Headline.Region> found = Headline.regions(text, doc.toString());
            if (!doc.getFileName().toString().equals("README.md") && Files.exists(doc.resolveSibling("results.jsonl"))) {
                assertThat(found).as("%s has a results.jsonl beside it but no generated answer region", doc).isNotEmpty();
            }
            for (Headline.Region r : found) {
                assertThat(r.body()).as("answer region of %s (source %s) is stale: run ./cnn4j report --docs %s", doc,
                        r.params().source(), root.relativize(doc)).isEqualTo(Headline.render(r.params(), doc.toAbsolutePath().getParent()));
                regions++;
            }
        }
        assertThat(Headline.regions(Files.readString(root.resolve("README.md")), "README.md"))
                .as("README.md quotes committed study results through a generated region").isNotEmpty();
        assertThat(regions).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anEditedNumberIsCaughtAndRefreshRestoresIt(@TempDir Path tmp) throws IOException {
        Path root = repoRoot();
        Path readme = root.resolve("README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        Headline.Region r = Headline.regions(text, "README.md").get(0);
        // copy the results next to a one-region document in a scratch directory
        Path results = tmp.resolve("results.jsonl");
        Files.copy(root.resolve(r.params().source()), results);
        Headline.Params local = new Headline.Params("results.jsonl", r.params().baseline(), r.params().margin(), r.params().selection());
        String good = local.marker() + "\n" + Headline.render(local, tmp) + "<!-- answer:end -->\n";
        assertThat(Headline.refresh(good, tmp, "doc")).isEqualTo(good);
        java.util.regex.Matcher pct = java.util.regex.Pattern.compile("(\\d+\\.\\d\\d)%").matcher(good);
        assertThat(pct.find()).isTrue();
        String edited = String.format(java.util.Locale.ROOT, "%.2f%%", Double.parseDouble(pct.group(1)) + 0.01);
        String tampered = good.substring(0, pct.start()) + edited + good.substring(pct.end());
        assertThat(tampered).isNotEqualTo(good);
        assertThat(Headline.refresh(tampered, tmp, "doc")).isEqualTo(good);
    }
}
