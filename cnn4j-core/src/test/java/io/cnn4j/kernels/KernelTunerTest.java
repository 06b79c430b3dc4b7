package io.cnn4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tuning file (kept per CPU, checked on read, written atomically) and the measurement's choice. */
class KernelTunerTest {
    private static final KernelTuner.Key ZEN4 = new KernelTuner.Key("AMD EPYC | family 25 | model 17 | avx512f", 16, 2);
    private static final KernelTuner.Key ZEN5 = new KernelTuner.Key("AMD EPYC | family 26 | model 2 | avx512f", 16, 2);
    private static final KernelTuning TUNED = new KernelTuning(256, 1024, 1 << 16, 14);

    @TempDir
    Path dir;

    /** A measurement that counts its calls and returns {@code result}. */
    private static KernelTuner.Measurement counting(AtomicInteger calls, KernelTuning result) {
        return () -> {
            calls.incrementAndGet();
            return new KernelTuner.Result(result, List.of());
        };
    }

    @Test
    void measuresOnFirstUseOnlyAndKeepsOneEntryPerMachine() throws IOException {
        Path file = dir.resolve("sub/kernel-tuning.json");
        AtomicInteger calls = new AtomicInteger();
        KernelTuner tuner = new KernelTuner(file);
        assertThat(tuner.choose(ZEN4, counting(calls, TUNED)).tuning()).isEqualTo(TUNED);
        assertThat(calls).hasValue(1);
        assertThat(tuner.choose(ZEN4, counting(calls, KernelTuning.DEFAULTS)).tuning()).isEqualTo(TUNED);
        assertThat(calls).hasValue(1);
        // another CPU model is measured for itself and does not replace the first entry
        assertThat(tuner.choose(ZEN5, counting(calls, KernelTuning.DEFAULTS)).tuning()).isEqualTo(KernelTuning.DEFAULTS);
        assertThat(calls).hasValue(2);
        assertThat(KernelTuner.read(file)).extracting(KernelTuner.Entry::key).containsExactly(ZEN4, ZEN5);
        // another thread count is another entry
        KernelTuner.Key oneThread = new KernelTuner.Key(ZEN4.cpu(), 16, 1);
        tuner.choose(oneThread, counting(calls, KernelTuning.DEFAULTS));
        assertThat(calls).hasValue(3);
        assertThat(tuner.choose(ZEN4, counting(calls, KernelTuning.DEFAULTS)).source()).contains("measured 20").contains(file.toString());
        // no temporary file left beside it
        try (var s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("kernel-tuning.json");
        }
    }

    @Test
    void storeReplacesTheMachinesEntry() throws IOException {
        Path file = dir.resolve("t.json");
        KernelTuner tuner = new KernelTuner(file);
        tuner.store(ZEN4, KernelTuning.DEFAULTS);
        tuner.store(ZEN4, TUNED);
        assertThat(KernelTuner.read(file)).singleElement().extracting(KernelTuner.Entry::tuning).isEqualTo(TUNED);
    }

    @Test
    void aDamagedFileIsReportedInOneLineAndMeasuredOver() throws IOException {
        Path file = dir.resolve("t.json");
        new KernelTuner(file).store(ZEN4, TUNED);
        String good = Files.readString(file);
        List<String> damaged = List.of(
                "{ not json",
                good.replace("\"gemmKc\" : 256", "\"gemmKc\" : 257"),              // checksum no longer matches
                good.replace("\"version\" : 2", "\"version\" : 3"),
                // a version-1 file (before the kernel variant): measured over, not misread
                good.replace("\"version\" : 2", "\"version\" : 1").replace(",\n    \"gemmRows\" : 14", ""),
                good.replace("\"gemmRows\" : 14", "\"gemmRows\" : 8"),               // not a kernel variant
                good.replace("cnn4j-kernel-tuning", "something-else"),
                good.replace("\"threads\" : 2,", "\"threads\" : 2, \"extra\" : 1,"),
                "[]");
        for (String text : damaged) {
            Files.writeString(file, text);
            AtomicInteger calls = new AtomicInteger();
            String err = stderrOf(() -> assertThat(new KernelTuner(file).choose(ZEN4, counting(calls, KernelTuning.DEFAULTS)).tuning())
                    .isEqualTo(KernelTuning.DEFAULTS));
            assertThat(calls).as(text).hasValue(1);
            assertThat(err.strip()).as(text).startsWith("cnn4j: WARNING: kernel tuning file " + file).doesNotContain("\n");
            // replaced by a good file with the new measurement
            assertThat(KernelTuner.read(file)).singleElement().extracting(KernelTuner.Entry::tuning).isEqualTo(KernelTuning.DEFAULTS);
        }
    }

    @Test
    void aValueNoCandidateHasIsRefusedEvenWithAGoodChecksum() throws IOException {
        Path file = dir.resolve("t.json");
        // a block size outside the candidates, written through the writer (so the checksum is right)
        KernelTuner.write(file, List.of(new KernelTuner.Entry(ZEN4, new KernelTuning(300, 512, 1 << 17), "2026-12-02T00:00:00Z")));
        assertThatThrownBy(() -> KernelTuner.read(file)).hasMessageContaining("gemmKc = 300 is not one of");
    }

    @Test
    void anOversizedFileIsNotRead() throws IOException {
        Path file = dir.resolve("t.json");
        Files.write(file, new byte[(int) KernelTuner.MAX_FILE_BYTES + 1]);
        assertThatThrownBy(() -> KernelTuner.read(file)).hasMessageContaining("bytes is more than");
    }

    @Test
    void anUnwritableFileStillGivesTheMeasurement() throws IOException {
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        Path file = blocker.resolve("kernel-tuning.json");
        AtomicInteger calls = new AtomicInteger();
        String[] source = new String[1];
        String err = stderrOf(() -> source[0] = new KernelTuner(file).choose(ZEN4, counting(calls, TUNED)).source());
        assertThat(source[0]).isEqualTo("measured now (not saved)");
        assertThat(err).contains("cannot write kernel tuning file");
    }

    @Test
    void policyIsAutoByDefaultAndRefusesUnknownValues() {
        assertThat(KernelTuner.enabled((String) null)).isTrue();
        assertThat(KernelTuner.enabled(" AUTO ")).isTrue();
        assertThat(KernelTuner.enabled("off")).isFalse();
        assertThatThrownBy(() -> KernelTuner.enabled("fast")).hasMessage("cnn4j.tune/CNN4J_TUNE must be auto or off, got 'fast'");
    }

    @Test
    void theRealMeasurementTimesEveryCandidateAndChoosesAmongThem() {
        org.junit.jupiter.api.Assumptions.assumeTrue(new VectorGemmProvider().isAvailable(), "vector backend");
        KernelTuner.Result r = KernelTuner.measure(t -> new VectorGemm(2, t), 1, VectorGemm.vectorLength());
        // every candidate once, plus a recheck (the default and the winner) for each knob whose winner is not the default
        // (the kernel variants only with 16-float vectors: 14 rows needs 32 registers)
        int variants = VectorGemm.vectorLength() >= 16 ? KernelTuning.ROWS_CANDIDATES.size() : 0;
        assertThat(r.timings()).filteredOn(t -> !t.knob().endsWith("recheck")).hasSize(variants + KernelTuning.KC_CANDIDATES.size()
                + KernelTuning.NC_CANDIDATES.size() + KernelTuning.CHUNK_CANDIDATES.size());
        assertThat(KernelTuning.ROWS_CANDIDATES).contains(r.tuning().gemmRows());
        assertThat(r.timings().stream().filter(t -> t.knob().endsWith("recheck")).count() % 2).isZero();
        assertThat(r.timings()).allSatisfy(t -> assertThat(t.millis()).isPositive());
        assertThat(KernelTuning.KC_CANDIDATES).contains(r.tuning().gemmKc());
        assertThat(KernelTuning.NC_CANDIDATES).contains(r.tuning().gemmNc());
        assertThat(KernelTuning.CHUNK_CANDIDATES).contains(r.tuning().winogradChunkFloats());
        // the default is paired with itself: ratio exactly 1
        assertThat(r.timings()).filteredOn(t -> t.knob().equals("gemmKc") && t.value() == KernelTuning.DEFAULTS.gemmKc())
                .singleElement().extracting(KernelTuner.Timing::ratioToDefault).isEqualTo(1.0);
    }

    /** Warm-up ends once the JIT has been quiet for a few rounds, after a minimum, and never later than the deadline. */
    @Test
    void warmUpRunsUntilTheJitIsQuietOrTheDeadline() {
        int[] runs = {0};
        Runnable round = () -> runs[0]++;
        // compile time grows for the first 7 rounds, then stays: 7 busy rounds + the quiet ones
        long[] compiled = {0};
        int r = KernelTuner.warmUpRounds(() -> {
            round.run();
            if (runs[0] <= 7) {
                compiled[0] += 3;
            }
        }, () -> compiled[0], () -> 0L, Long.MAX_VALUE / 4);
        assertThat(r).isEqualTo(runs[0]).isEqualTo(7 + KernelTuner.WARMUP_QUIET_ROUNDS);
        // a JIT that never settles: stopped by the clock (one tick per read)
        runs[0] = 0;
        long[] tick = {0};
        long[] busy = {0};
        r = KernelTuner.warmUpRounds(() -> busy[0]++, () -> busy[0], () -> tick[0]++, 50);
        assertThat(r).isBetween(40, 60);
        // no compile-time counter: the minimum only
        assertThat(KernelTuner.warmUpRounds(() -> { }, null, () -> 0L, Long.MAX_VALUE / 4)).isEqualTo(KernelTuner.WARMUP_MIN_ROUNDS);
        // already quiet from the start: the minimum, then enough quiet rounds
        assertThat(KernelTuner.warmUpRounds(() -> { }, () -> 5L, () -> 0L, Long.MAX_VALUE / 4))
                .isEqualTo(KernelTuner.WARMUP_QUIET_ROUNDS + 1);
    }

    /** The rule: ≥ 5% faster by the median of paired round ratios and faster in 3 rounds of 4, else the default. */
    @Test
    void aCandidateReplacesTheDefaultOnlyWhenClearlyAndConsistentlyFaster() {
        KernelTuning dflt = KernelTuning.DEFAULTS, other = TUNED;
        List<KernelTuning> both = List.of(dflt, other);
        double[] base = {10, 12, 9, 11, 10, 13, 10, 10};
        double[] tenPercentFaster = new double[8], threePercentFaster = new double[8], fastOnlyInHalf = new double[8];
        for (int r = 0; r < 8; r++) {
            tenPercentFaster[r] = 0.9 * base[r];
            threePercentFaster[r] = 0.97 * base[r];
            fastOnlyInHalf[r] = (r % 2 == 0 ? 0.5 : 1.1) * base[r];
        }
        List<KernelTuner.Timing> t = new java.util.ArrayList<>();
        assertThat(KernelTuner.pick(both, new double[][]{base, tenPercentFaster}, dflt, KernelTuning::gemmKc, "gemmKc", t)).isEqualTo(1);
        assertThat(t.get(1).ratioToDefault()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(KernelTuner.pick(both, new double[][]{base, threePercentFaster}, dflt, KernelTuning::gemmKc, "gemmKc", t)).isZero();
        // median ratio 0.5·… in half the rounds and 1.1 in the others: the median is below 0.95, the wins are not 3 in 4
        assertThat(KernelTuner.pick(both, new double[][]{base, fastOnlyInHalf}, dflt, KernelTuning::gemmKc, "gemmKc", t)).isZero();
    }

    @Test
    void blockSizesOutOfBoundsAreRefused() {
        assertThatThrownBy(() -> new KernelTuning(0, 512, 1 << 17)).hasMessageContaining("gemmKc");
        assertThatThrownBy(() -> new KernelTuning(320, 512, 1 << 30)).hasMessageContaining("winogradChunkFloats");
        assertThatThrownBy(() -> new KernelTuning(320, 512, 1 << 17, 8)).hasMessageContaining("gemmRows must be one of [6, 14]");
    }

    private static String stderrOf(Runnable r) {
        return BackendsTest.captureStderr(r);
    }
}
