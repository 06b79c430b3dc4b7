package io.cnn4j.kernels;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs loop bodies over a fixed, deterministic partition on a few daemon threads owned by this
 * instance (the caller runs part 0); no Keras counterpart. Which part does which indices depends only on the count and
 * the thread count, so a body that writes disjoint outputs per index gives the same result as
 * a serial loop, and one that sums per part sums the same indices every time. Bodies of the first
 * kind can instead take their indices in chunks, each from whichever thread is free
 * ({@link #forPartsDynamic}), which keeps both cores busy when one of them is slowed down.
 *
 * <p>A call allocates nothing: the body and its range are handed to persistent workers through
 * fields, each worker is woken by a state flip (spinning briefly, then parked) and the caller waits
 * on a counter of unfinished parts. So a training step, which makes dozens of these calls, makes
 * no garbage here. Workers start on first use and exit after {@link #IDLE_EXIT_SECONDS} s without
 * work; the next call starts them again. Until they exit they hold this instance, so a dropped
 * instance leaves nothing behind after that time.
 *
 * <p>A call made while another is running on this instance — from inside a body (a nested loop) or
 * from another thread — runs its parts one after the other on the calling thread, with the same
 * part numbers and ranges, instead of waiting for the workers (which could deadlock). There a
 * failing part ends the call at once; in a parallel call every part runs and the failure of the
 * lowest-numbered failing part is rethrown.
 */
public final class Parallel {
    /** A worker without work for this long exits (it is restarted on demand). */
    static final long IDLE_EXIT_SECONDS = 30;
    /**
     * How long a waiting thread spins before it parks. Consecutive loops of a layer follow each other
     * within microseconds, and an unpark costs a system call and tens of microseconds of wake-up, so
     * a short spin saves that on most hand-overs; any longer would take a core from whatever else
     * runs (on 2 cores: the caller's serial work between loops, or a BLAS thread).
     */
    private static final long SPIN_NANOS = 20_000;

    private static final int STOPPED = 0;
    private static final int IDLE = 1;
    private static final int ASSIGNED = 2;

    private final int threads;
    private final long idleExitNanos;
    /** Workers for parts 1 … threads − 1 (index part − 1). */
    private final Worker[] workers;
    /** Set while a call is running on this instance; a call that finds it set runs serially. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /** Parts handed to workers and not yet finished. */
    private final AtomicInteger pending = new AtomicInteger();
    /** A failure per part of the running call, so the one reported does not depend on timing. */
    private final Throwable[] failures;
    /** Parts of the running call whose worker thread could not be started. */
    private final boolean[] unstarted;

    // The running call, written by the caller before a worker is flipped to ASSIGNED (a volatile
    // write the worker reads before these), cleared after it, so no body outlives its call here.
    private PartRange partBody;
    private Range rangeBody;
    private int count;
    private int parts;
    /** 0 for a fixed split; else the most indices a chunk of the running call has. */
    private int grain;
    /** The first index not yet handed out in the running call, when it goes by chunks. */
    private final AtomicInteger nextChunk = new AtomicInteger();
    private volatile Thread caller;

    public Parallel(int threads) {
        this(threads, TimeUnit.SECONDS.toNanos(IDLE_EXIT_SECONDS));
    }

    /** With another idle timeout (tests). */
    Parallel(int threads, long idleExitNanos) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        this.threads = threads;
        this.idleExitNanos = idleExitNanos;
        this.workers = new Worker[threads - 1];
        for (int t = 1; t < threads; t++) {
            workers[t - 1] = new Worker(t);
        }
        this.failures = new Throwable[threads];
        this.unstarted = new boolean[threads];
    }

    public int threads() {
        return threads;
    }

    /** Worker threads alive now, started and not yet exited after their idle timeout (tests). */
    int liveWorkers() {
        int live = 0;
        for (Worker w : workers) {
            Thread t = w.thread;
            live += t != null && t.isAlive() ? 1 : 0;
        }
        return live;
    }

    /** The worker threads started so far (null where none was), for tests that read their allocation counters. */
    Thread[] workerThreads() {
        Thread[] ts = new Thread[workers.length];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = workers[i].thread;
        }
        return ts;
    }

    /** A range body: handles indices [from, to). */
    public interface Range {
        void run(int from, int to);
    }

    /** A range body that also gets its part's number (0 ≤ part &lt; threads), e.g. to pick per-thread buffers. */
    public interface PartRange {
        void run(int part, int from, int to);
    }

    /** Splits [0, count) into min(threads, count) contiguous, nearly equal ranges and runs them in parallel. */
    public void forRange(int count, Range body) {
        run(count, 0, null, body);
    }

    /** As {@link #forRange}, telling each range its part number; part p always gets the same range for the same count. */
    public void forParts(int count, PartRange body) {
        run(count, 0, body, null);
    }

    /**
     * As {@link #forParts}, but the indices are handed out in chunks of at most {@code grain}, in
     * order, to whichever thread is free: the caller and the workers each take the next chunk until
     * none is left. For bodies whose result does not depend on which thread runs an index (disjoint
     * outputs, per-thread scratch chosen by the part number): on these VMs one vCPU at a time slows
     * down for seconds (a neighbour on its core; measured: one part of a fixed split at 1.6× the
     * other's time while two processes alone run at full speed), and a fixed split then waits for
     * the slow part, while chunks let the other thread do more of the work. Not for bodies that
     * accumulate into per-part sums: which chunks a part gets changes from call to call.
     *
     * @param count indices [0, count)
     * @param grain most indices per body call, ≥ 1
     * @param body  gets its part number (0 ≤ part &lt; threads) and a chunk [from, to)
     */
    public void forPartsDynamic(int count, int grain, PartRange body) {
        if (grain < 1) {
            throw new IllegalArgumentException("grain must be ≥ 1, got " + grain);
        }
        run(count, grain, body, null);
    }

    /** As {@link #forPartsDynamic} for a body that does not need its part number. */
    public void forRangeDynamic(int count, int grain, Range body) {
        if (grain < 1) {
            throw new IllegalArgumentException("grain must be ≥ 1, got " + grain);
        }
        run(count, grain, null, body);
    }

    /** First index of part {@code part} of {@code parts} over [0, count). */
    private static int start(int count, int part, int parts) {
        return (int) ((long) count * part / parts);
    }

    /** grain 0: a fixed split into parts; grain ≥ 1: chunks of that many indices to whichever thread is free. */
    private void run(int count, int grain, PartRange partBody, Range rangeBody) {
        int parts = Math.min(threads, grain == 0 ? count : (int) ((count + (long) grain - 1) / grain));
        if (parts <= 0) {
            return;
        }
        if (parts == 1 || !busy.compareAndSet(false, true)) {
            // one part, or nested in / concurrent with a running call: the same parts (or chunks), here, in order
            if (grain == 0) {
                for (int p = 0; p < parts; p++) {
                    runPart(partBody, rangeBody, p, start(count, p, parts), start(count, p + 1, parts));
                }
            } else {
                for (int from = 0; from < count; from = (int) Math.min(count, (long) from + grain)) {
                    runPart(partBody, rangeBody, 0, from, (int) Math.min(count, (long) from + grain));
                }
            }
            return;
        }
        try {
            this.partBody = partBody;
            this.rangeBody = rangeBody;
            this.count = count;
            this.parts = parts;
            this.grain = grain;
            nextChunk.set(0);
            this.caller = Thread.currentThread();
            pending.set(parts - 1);
            boolean allStarted = true;
            for (int p = 1; p < parts; p++) {
                unstarted[p] = !workers[p - 1].assign();
                allStarted &= !unstarted[p];
            }
            try {
                runShare(partBody, rangeBody, 0, count, parts, grain);
            } catch (Throwable e) {
                failures[0] = e;
            }
            if (!allStarted) {
                // a worker thread could not be started (out of threads or memory): its part runs here
                for (int p = 1; p < parts; p++) {
                    if (unstarted[p]) {
                        unstarted[p] = false;
                        try {
                            // with chunks, the caller has taken them all by now: nothing is left for p
                            runShare(partBody, rangeBody, p, count, parts, grain);
                        } catch (Throwable e) {
                            failures[p] = e;
                        }
                        pending.decrementAndGet();
                    }
                }
            }
            awaitWorkers();
            this.partBody = null;
            this.rangeBody = null;
            this.caller = null;
            rethrowFirstFailure(parts);
        } finally {
            busy.set(false);
        }
    }

    /** Part {@code part}'s share of the running call: its fixed range (grain 0), or chunks until none is left. */
    private void runShare(PartRange partBody, Range rangeBody, int part, int count, int parts, int grain) {
        if (grain == 0) {
            runPart(partBody, rangeBody, part, start(count, part, parts), start(count, part + 1, parts));
            return;
        }
        for (int from = nextChunk.getAndAdd(grain); from < count && from >= 0; from = nextChunk.getAndAdd(grain)) {
            runPart(partBody, rangeBody, part, from, (int) Math.min(count, (long) from + grain));
        }
    }

    private static void runPart(PartRange partBody, Range rangeBody, int part, int from, int to) {
        if (partBody != null) {
            partBody.run(part, from, to);
        } else {
            rangeBody.run(from, to);
        }
    }

    /** Waits until every worker part has finished (even when interrupted: they write the caller's buffers). */
    private void awaitWorkers() {
        boolean interrupted = false;
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (pending.get() != 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
                // park returns at once while the interrupt flag is set: clear it, restore it below
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Rethrows the failure of the lowest-numbered failed part (RuntimeException and Error as they are). */
    private void rethrowFirstFailure(int parts) {
        Throwable failure = null;
        for (int p = 0; p < parts; p++) {
            if (failure == null) {
                failure = failures[p];
            }
            failures[p] = null;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            // a checked exception thrown sneakily by a body
            throw new IllegalStateException("parallel loop part failed", failure);
        }
    }

    /**
     * The worker for one part number. Its state is STOPPED (no thread), IDLE (a thread waiting) or
     * ASSIGNED (work waiting for it). Only the caller moves it out of IDLE or STOPPED, and only the
     * worker back to IDLE or (from IDLE, after the idle timeout) to STOPPED, so a worker that is
     * about to exit and a call that is about to assign it cannot both win.
     */
    private final class Worker implements Runnable {
        private final int part;
        private final AtomicInteger state = new AtomicInteger(STOPPED);
        private volatile Thread thread;

        Worker(int part) {
            this.part = part;
        }

        /** Hands the current call's part to this worker; false (state STOPPED) when no thread could be started for it. */
        boolean assign() {
            if (state.compareAndSet(IDLE, ASSIGNED)) {
                LockSupport.unpark(thread);
                return true;
            }
            // STOPPED: the previous thread has exited (or none was started yet); a new one finds the work
            state.set(ASSIGNED);
            try {
                Thread t = new Thread(this, "cnn4j-worker-" + part);
                t.setDaemon(true);
                thread = t;
                t.start();
                return true;
            } catch (OutOfMemoryError | RuntimeException e) {
                state.set(STOPPED);
                return false;
            }
        }

        @Override
        public void run() {
            while (awaitWork()) {
                int c = count, n = parts, g = grain;
                try {
                    runShare(partBody, rangeBody, part, c, n, g);
                } catch (Throwable e) {
                    failures[part] = e;
                }
                // read before the count drops: after that the caller may move on and clear it
                Thread waiting = caller;
                // IDLE before the count drops: once it reaches 0 the caller may assign this worker again
                state.set(IDLE);
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(waiting);
                }
            }
        }

        /** Spins briefly, then parks until assigned; false when idle too long (the thread then exits). */
        private boolean awaitWork() {
            long idleSince = System.nanoTime();
            long spinUntil = idleSince + SPIN_NANOS;
            while (state.get() != ASSIGNED) {
                long now = System.nanoTime();
                if (now < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                long left = idleSince + idleExitNanos - now;
                if (left <= 0) {
                    if (state.compareAndSet(IDLE, STOPPED)) {
                        return false;
                    }
                    continue; // assigned just now
                }
                LockSupport.parkNanos(this, left);
                // nobody should interrupt a worker; if someone does, park would stop blocking
                Thread.interrupted();
            }
            return true;
        }
    }
}
