package io.cnn4j.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs loop bodies over a fixed, deterministic partition on a few daemon threads owned by this
 * instance (the caller runs part 0). Which part does which indices depends only on the count and
 * the thread count, so a body that writes disjoint outputs per index gives the same result as
 * a serial loop. Idle workers die after 30 s, so a dropped instance leaves nothing behind.
 */
public final class Parallel {
    private final int threads;
    private final ThreadPoolExecutor pool;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        this.threads = threads;
        if (threads > 1) {
            AtomicInteger ids = new AtomicInteger();
            pool = new ThreadPoolExecutor(threads - 1, threads - 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "cnn4j-worker-" + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
        } else {
            pool = null;
        }
    }

    public int threads() {
        return threads;
    }

    /** A range body: handles indices [from, to). */
    public interface Range {
        void run(int from, int to);
    }

    /** A range body that also gets its part's number (0 ≤ part < threads), e.g. to pick per-thread buffers. */
    public interface PartRange {
        void run(int part, int from, int to);
    }

    /** Splits [0, count) into min(threads, count) contiguous, nearly equal ranges and runs them in parallel. */
    public void forRange(int count, Range body) {
        forParts(count, (part, from, to) -> body.run(from, to));
    }

    /** As {@link #forRange}, telling each range its part number; part p always gets the same range for the same count. */
    public void forParts(int count, PartRange body) {
        int parts = Math.min(threads, count);
        if (parts <= 1) {
            if (count > 0) {
                body.run(0, 0, count);
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        for (int t = 1; t < parts; t++) {
            int part = t, from = (int) ((long) count * t / parts), to = (int) ((long) count * (t + 1) / parts);
            futures.add(pool.submit(() -> body.run(part, from, to)));
        }
        Throwable failure = null;
        try {
            body.run(0, 0, (int) ((long) count / parts));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            }
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException("parallel loop interrupted", failure);
        }
    }
}
