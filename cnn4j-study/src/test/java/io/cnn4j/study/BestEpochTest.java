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

    static StudyConfig config(Path dir, int epochs, Integer patience, List<String> placements, int seeds) {
        StudyConfig tiny = StudyFixtures.tiny(dir, seeds, epochs, placements, 1);
        return new StudyConfig(tiny.preset(), tiny.data(), tiny.model(), tiny.poolings(), tiny.rate(), tiny.rates(),
                tiny.placements(), null, null, tiny.seeds(), new TrainingSpec(epochs, 32, 0.02, "adam", patience), tiny.backend(), 1, dir,
                tiny.command(), List.of(tiny.rate()), 0.003, Selection.BEST);
    }

    @Test
    void bestEpochTestAccuracyIsThatOfTheRestoredBestWeightsAndPatienceStops(@TempDir Path dir) {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Study.Outcome o = Study.run(config(dir.resolve("a"), 10, 2, List.of("none", "dropout-after"), 2), quiet, false);
        Map<String, ResultsFile.TrialLog> logs = new ResultsFile(o.directory().resolve("results.jsonl")).read();
        assertThat(logs).hasSize(4);
        TrialResult earlier = null;
        for (ResultsFile.TrialLog l : logs.values()) {
            TrialResult r = l.toResult();
            List<EpochRecord> h = r.epochs();
            int best = TrialExecutor.bestIndex(h);
            assertThat(r.bestEpoch()).isEqualTo(h.get(best).epoch());
            // patience 2: training ended two epochs after the best, or at the end
            assertThat(h.size() == 10 || best == h.size() - 3).as("stopped two epochs after the best: %s", h).isTrue();
            if (best == h.size() - 1) {
                assertThat(r.bestTestAccuracy()).isEqualTo(r.testAccuracy());
            } else if (earlier == null) {
                earlier = r;
            }
        }
        assertThat(earlier).as("some trial peaked before its last epoch").isNotNull();
        // the same trial trained for exactly best + 1 epochs ends with the weights restore_best_weights restored
        // (bit-reproducible: same seed, same batches, one thread)
        Trial t = earlier.trial();
        String placement = t.variant().dropout().equals("none") ? "none" : t.variant().dropout() + "-" + t.variant().position();
        Study.Outcome cut = Study.run(config(dir.resolve("b"), earlier.bestEpoch() + 1, null, List.of(placement), (int) t.seed() + 1),
                quiet, false);
        TrialResult same = ResultsFile.finishedResults(new ResultsFile(cut.directory().resolve("results.jsonl")).read().values()).stream()
                .filter(r -> r.trial().id().equals(t.id())).findFirst().orElseThrow();
        assertThat(same.testAccuracy()).isEqualTo(earlier.bestTestAccuracy());
        assertThat(same.testLoss()).isEqualTo(earlier.bestTestLoss());
        assertThat(earlier.bestTestAccuracy()).isNotNaN();
        assertThat(o.analysis().selection()).isEqualTo(Selection.BEST);
        // no best-weights checkpoint is left behind
        assertThat(o.directory().resolve("checkpoints").toFile().list((d, n) -> n.contains(".best"))).isEmpty();
    }
}
