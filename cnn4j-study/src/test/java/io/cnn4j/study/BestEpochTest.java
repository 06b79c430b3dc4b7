package io.cnn4j.study;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Keras EarlyStopping(monitor="val_loss", restore_best_weights=True) semantics of the trials. */
class BestEpochTest {
    static List<EpochRecord> epochs(double... valLoss) {
        List<EpochRecord> out = new ArrayList<>();
        for (int e = 0; e < valLoss.length; e++) {
            out.add(new EpochRecord(e, 1.0 / (e + 1), 0.5, valLoss[e], 0.5, 1));
        }
        return out;
    }

    @Test
    void bestEpochIsTheFirstLowestValidationLossAndTiesDoNotImprove() {
        List<EpochRecord> h = epochs(0.5, 0.4, 0.45, 0.4, 0.38, 0.41, 0.42);
        assertThat(TrialExecutor.bestIndex(h)).isEqualTo(4);
        assertThat(TrialExecutor.bestIndex(h.subList(0, 4))).isEqualTo(1); // 0.4 again at epoch 3 is no improvement (min_delta 0)
        assertThat(TrialExecutor.improves(h.subList(0, 3), h.get(3))).isFalse();
        assertThat(TrialExecutor.improves(h.subList(0, 4), h.get(4))).isTrue();
        assertThat(TrialExecutor.improves(List.of(), h.get(0))).isTrue();
        // patience 2: two epochs (5, 6) without improvement after epoch 4 → stop; patience 3 → go on; none → never
        assertThat(TrialExecutor.shouldStop(h, 2)).isTrue();
        assertThat(TrialExecutor.shouldStop(h.subList(0, 6), 2)).isFalse();
        assertThat(TrialExecutor.shouldStop(h, 3)).isFalse();
        assertThat(TrialExecutor.shouldStop(h, null)).isFalse();
    }

    @Test
    void withoutValidationTheTrainingLossIsMonitored() {
        List<EpochRecord> h = List.of(new EpochRecord(0, 0.9, 0.5, Double.NaN, Double.NaN, 1),
                new EpochRecord(1, 0.7, 0.6, Double.NaN, Double.NaN, 1), new EpochRecord(2, 0.8, 0.6, Double.NaN, Double.NaN, 1));
        assertThat(TrialExecutor.bestIndex(h)).isEqualTo(1);
    }

    @Test
    void trialsRecordTheTestAccuracyOfTheirBestValidationEpochAndStopAfterPatience(@TempDir Path dir) {
        StudyConfig tiny = StudyFixtures.tiny(dir, 2, 8, List.of("none", "dropout-after"), 1);
        StudyConfig config = new StudyConfig(tiny.preset(), tiny.data(), tiny.model(), tiny.poolings(), tiny.rate(), tiny.rates(),
                tiny.placements(), null, null, tiny.seeds(), new TrainingSpec(8, 32, 0.02, "adam", 1), tiny.backend(), 1, dir,
                tiny.command(), List.of(tiny.rate()), 0.003, Selection.BEST);
        Study.Outcome o = Study.run(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        Map<String, ResultsFile.TrialLog> logs = new ResultsFile(o.directory().resolve("results.jsonl")).read();
        assertThat(logs).hasSize(4);
        for (ResultsFile.TrialLog l : logs.values()) {
            TrialResult r = l.toResult();
            List<EpochRecord> h = r.epochs();
            int best = TrialExecutor.bestIndex(h);
            assertThat(r.bestEpoch()).isEqualTo(h.get(best).epoch());
            // the best epoch was tested when it happened, and that is the accuracy the trial reports
            assertThat(h.get(best).tested()).isTrue();
            assertThat(r.bestTestAccuracy()).isEqualTo(h.get(best).testAccuracy());
            // every tested epoch improved on all before it, except possibly the last one trained
            for (int e = 0; e < h.size() - 1; e++) {
                assertThat(h.get(e).tested()).isEqualTo(TrialExecutor.improves(h.subList(0, e), h.get(e)));
            }
            // patience 1: training ended at the first epoch without improvement, or at the end
            assertThat(h.size() == 8 || best == h.size() - 2).as("stopped one epoch after the best: %s", h).isTrue();
            assertThat(r.testAccuracy(Selection.LAST)).isEqualTo(r.testAccuracy());
        }
        assertThat(o.analysis().selection()).isEqualTo(Selection.BEST);
        assertThat(o.analysis().comparisons()).hasSize(1);
    }
}
