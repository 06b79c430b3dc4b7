package io.cnn4j.study;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs trials on this machine, {@code parallelism} at a time, each in its own worker thread with its
 * own model (no shared mutable state; the data tensors are only read). Each trial's GEMM uses the
 * thread count in its spec, so parallel trials × GEMM threads should not exceed the cores.
 */
public final class LocalTrialRunner implements TrialRunner {
    private final TrialExecutor executor;
    private final int parallelism;

    public LocalTrialRunner(TrialExecutor executor, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be ≥ 1, got " + parallelism);
        }
        this.executor = executor;
        this.parallelism = parallelism;
    }

    @Override
    public List<TrialResult> runAll(List<Trial> trials, TrialListener listener) {
        if (trials.isEmpty()) {
            return List.of();
        }
        AtomicInteger worker = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, trials.size()), r -> {
            Thread t = new Thread(r, "cnn4j-trial-" + worker.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<TrialResult>> futures = new ArrayList<>();
            for (Trial t : trials) {
                futures.add(pool.submit(() -> executor.execute(t, listener)));
            }
            List<TrialResult> out = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    out.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    for (Future<TrialResult> f : futures) {
                        f.cancel(false);
                    }
                    Throwable c = e.getCause();
                    throw new IllegalStateException("trial " + trials.get(i).id() + " failed: " + c.getMessage(), c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for trial " + trials.get(i).id(), e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
