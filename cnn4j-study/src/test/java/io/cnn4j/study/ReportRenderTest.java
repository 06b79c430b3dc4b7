package io.cnn4j.study;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens the report in headless Chromium and checks that every chart image decoded and that the
 * opening paragraph names the best variant and its margin. Skipped only when Chromium is missing
 * outside CI; in CI (CI=true) a missing Chromium fails the test.
 */
class ReportRenderTest {
    static String chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    @Test
    void reportRendersInHeadlessChromiumWithAllChartsAndTheAnswer(@TempDir Path dir) throws Exception {
        String chromium = chromium();
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (chromium == null) {
            Assumptions.assumeTrue(ci, "chromium is not installed (apt-get install -y chromium); skipped outside CI");
            throw new AssertionError("CI=true but chromium is not on PATH: .ci/run must install it");
        }
        StudyConfig tiny = StudyFixtures.tiny(dir, 2, 2, List.of("none", "dropout-before", "dropout-after"), 2);
        // two rates, so that the accuracy-vs-rate chart is drawn too
        StudyConfig config = new StudyConfig(tiny.preset(), tiny.data(), tiny.model(), tiny.poolings(), 0.25, tiny.rates(),
                tiny.placements(), null, null, tiny.seeds(), tiny.training(), tiny.backend(), tiny.threads(), dir, tiny.command(),
                List.of(0.25, 0.5), 0.003, Selection.BEST);
        Study.Outcome outcome = Study.run(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        Analysis.VariantStats best = outcome.analysis().best();
        Analysis.VariantStats second = outcome.analysis().runnerUp();

        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom", outcome.html().toUri().toString()));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile()).start();
        byte[] dom = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        String html = new String(dom, StandardCharsets.UTF_8);
        assertThat(html).as("DOM dumped by chromium; stderr: %s", Files.readString(dir.resolve("chromium.err"))).contains("<body");

        Matcher charts = Pattern.compile("data-charts=\"([a-z]+)\"").matcher(html);
        assertThat(charts.find()).isTrue();
        assertThat(charts.group(1)).as("all <img> complete with naturalWidth > 0").isEqualTo("loaded");
        Matcher count = Pattern.compile("data-chart-count=\"(\\d+)\"").matcher(html);
        assertThat(count.find()).isTrue();
        // accuracy, forest, gap, curves, validation loss, rates, zero rate, moments
        assertThat(Integer.parseInt(count.group(1))).isEqualTo(8);
        assertThat(html).contains("Paired differences against the baseline", "Mean validation loss per epoch",
                "Mean test accuracy against the nominal dropout rate");
        for (Analysis.Comparison c : outcome.analysis().comparisons()) {
            assertThat(html).contains(c.verdict().label(0.003));
        }

        Matcher answer = Pattern.compile("<p id=\"answer\">(.*?)</p>", Pattern.DOTALL).matcher(html);
        assertThat(answer.find()).isTrue();
        String opening = answer.group(1).replace("&amp;", "&");
        assertThat(opening).contains("best placement was " + best.variant().name());
        String margin = String.format(Locale.ROOT, "%.2f points", 100 * (best.testAccuracy().mean() - second.testAccuracy().mean()));
        assertThat(opening).contains("margin of " + margin);
    }
}
