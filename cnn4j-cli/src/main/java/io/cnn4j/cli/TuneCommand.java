package io.cnn4j.cli;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.CpuModel;
import io.cnn4j.kernels.KernelTuner;
import io.cnn4j.kernels.KernelTuning;
import io.cnn4j.kernels.VectorGemmProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code cnn4j tune}: measures the vector kernels' block sizes on this CPU now and records the
 * choice in the tuning file, printing every candidate's time; no Keras counterpart. Models measure
 * once on their own on first use; this command re-measures (after a JDK upgrade, say, or with more
 * rounds on a quiet machine).
 */
@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures the vector kernels' block sizes (GEMM kc and nc, Winograd chunk) on this CPU and records "
                + "the fastest in the tuning file, which model builds then use. A candidate replaces the default only when "
                + "it is at least 5%% faster in paired rounds. None of them changes results, only speed.",
                "Example: cnn4j tune --threads 2 --rounds 15"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure while running (vector backend unavailable, file not writable)", "2:usage error"})
public final class TuneCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--threads", description = "threads of the backend to tune for (default: cnn4j.threads / CNN4J_THREADS / all processors)")
    Integer threads;

    @Option(names = "--rounds", defaultValue = "" + KernelTuner.DEFAULT_ROUNDS,
            description = "timed rounds per candidate, interleaved (default: ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
        if (threads != null && threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be ≥ 1, got " + threads);
        }
        if (rounds < 1 || rounds > 1000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be in [1, 1000], got " + rounds);
        }
        VectorGemmProvider vector = new VectorGemmProvider();
        if (!vector.isAvailable()) {
            throw new IllegalStateException("tune: the vector backend is not available (" + vector.unavailableReason() + ")");
        }
        int t = threads != null ? threads : Backends.threads();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "cnn4j tune: %s, %d threads, %d rounds%n", CpuModel.describe(), t, rounds);
        out.flush();
        KernelTuner.Result r = vector.remeasure(t, rounds);
        for (KernelTuner.Timing timing : r.timings()) {
            String knob = timing.knob().replace(" recheck", "");
            int chosen = r.tuning().value(knob), dflt = KernelTuning.DEFAULTS.value(knob);
            out.printf(Locale.ROOT, "  %-20s %8d  %8.3f ms  %5.3f× the default's time%s%s%n", timing.knob(), timing.value(), timing.millis(),
                    timing.ratioToDefault(),
                    timing.value() == chosen ? "  chosen" : "", timing.value() == dflt ? "  (default)" : "");
        }
        out.printf(Locale.ROOT, "tuning: %s, saved in %s%n", r.tuning().describe(), KernelTuner.file());
        out.flush();
        return 0;
    }
}
