package io.cnn4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-over protocol of {@link Parallel}: partition, failures, nesting, idle exit and no garbage per call. */
class ParallelTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void partsGetTheFixedPartitionExactlyOnce(int threads) {
        Parallel parallel = new Parallel(threads);
        for (int count = 0; count <= 23; count++) {
            int parts = Math.min(threads, count);
            int[] from = new int[threads], to = new int[threads];
            AtomicIntegerArray calls = new AtomicIntegerArray(threads);
            AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, count));
            parallel.forParts(count, (part, f, t) -> {
                calls.incrementAndGet(part);
                from[part] = f;
                to[part] = t;
                for (int i = f; i < t; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int p = 0; p < threads; p++) {
                assertThat(calls.get(p)).as("calls of part %d, count %d", p, count).isEqualTo(p < parts ? 1 : 0);
                if (p < parts) {
                    assertThat(from[p]).isEqualTo((int) ((long) count * p / parts));
                    assertThat(to[p]).isEqualTo((int) ((long) count * (p + 1) / parts));
                }
            }
            for (int i = 0; i < count; i++) {
                assertThat(hits.get(i)).as("index %d of %d", i, count).isEqualTo(1);
            }
            AtomicIntegerArray rangeHits = new AtomicIntegerArray(Math.max(1, count));
            parallel.forRange(count, (f, t) -> {
                for (int i = f; i < t; i++) {
                    rangeHits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < count; i++) {
                assertThat(rangeHits.get(i)).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void chunksCoverEveryIndexOnceInOrderedChunksOfAtMostTheGrain(int threads) {
        Parallel parallel = new Parallel(threads);
        for (int grain = 1; grain <= 4; grain++) {
            for (int count = 0; count <= 23; count++) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, count));
                AtomicInteger badPart = new AtomicInteger(-1), badChunk = new AtomicInteger(-1);
                int g = grain, c = count;
                parallel.forPartsDynamic(count, grain, (part, f, t) -> {
                    if (part < 0 || part >= threads) {
                        badPart.set(part);
                    }
                    // chunks start on multiples of the grain and end at the next one or at count
                    if (f % g != 0 || t != Math.min(f + g, c) || t <= f) {
                        badChunk.set(f);
                    }
                    for (int i = f; i < t; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                assertThat(badPart.get()).as("part number out of range, grain %d count %d", grain, count).isEqualTo(-1);
                assertThat(badChunk.get()).as("chunk shape, grain %d count %d", grain, count).isEqualTo(-1);
                for (int i = 0; i < count; i++) {
                    assertThat(hits.get(i)).as("index %d, grain %d count %d", i, grain, count).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aFreeThreadTakesTheChunksOfASlowOne() {
        // part 0 (the caller) is held on its first chunk until the worker has done all the others: with a
        // fixed split the worker would stop after half of them
        Parallel parallel = new Parallel(2);
        int count = 20;
        AtomicIntegerArray byPart = new AtomicIntegerArray(2);
        CountDownLatch othersDone = new CountDownLatch(count - 1);
        parallel.forPartsDynamic(count, 1, (part, f, t) -> {
            byPart.incrementAndGet(part);
            if (part == 0 && byPart.get(0) == 1) {
                try {
                    assertThat(othersDone.await(10, TimeUnit.SECONDS)).as("the worker took the other chunks").isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                othersDone.countDown();
            }
        });
        assertThat(byPart.get(0) + byPart.get(1)).isEqualTo(count);
        assertThat(byPart.get(1)).isGreaterThanOrEqualTo(count - 1);
    }

    @Test
    void chunkedCallsRethrowAFailureAndRejectABadGrain() {
        Parallel parallel = new Parallel(2);
        assertThatThrownBy(() -> parallel.forPartsDynamic(10, 1, (part, f, t) -> {
            if (f == 7) {
                throw new IllegalArgumentException("index 7");
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("index 7");
        assertThatThrownBy(() -> parallel.forRangeDynamic(10, 0, (f, t) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grain");
        // the instance still works after both
        AtomicInteger sum = new AtomicInteger();
        parallel.forRangeDynamic(10, 3, (f, t) -> sum.addAndGet(t - f));
        assertThat(sum.get()).isEqualTo(10);
    }

    @Test
    void theLowestNumberedFailureIsRethrownAfterEveryPartRan() {
        Parallel parallel = new Parallel(4);
        AtomicIntegerArray ran = new AtomicIntegerArray(4);
        IllegalStateException one = new IllegalStateException("part 1");
        for (int round = 0; round < 20; round++) {
            assertThatThrownBy(() -> parallel.forParts(4, (part, f, t) -> {
                ran.incrementAndGet(part);
                if (part == 3) {
                    throw new IllegalArgumentException("part 3");
                }
                if (part == 1) {
                    throw one;
                }
            })).isSameAs(one);
        }
        for (int p = 0; p < 4; p++) {
            assertThat(ran.get(p)).isEqualTo(20);
        }
        // errors as they are, the caller's own part included
        StackOverflowError error = new StackOverflowError("part 0");
        assertThatThrownBy(() -> parallel.forParts(4, (part, f, t) -> {
            if (part == 0 || part == 2) {
                throw error;
            }
        })).isSameAs(error);
        // a checked exception thrown sneakily is wrapped
        assertThatThrownBy(() -> parallel.forParts(4, (part, f, t) -> {
            if (part == 2) {
                ParallelTest.<RuntimeException>sneaky(new java.io.IOException("disk"));
            }
        })).isInstanceOf(IllegalStateException.class).hasCauseInstanceOf(java.io.IOException.class);
        // and the instance still works
        AtomicInteger sum = new AtomicInteger();
        parallel.forRange(100, (f, t) -> sum.addAndGet(t - f));
        assertThat(sum.get()).isEqualTo(100);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneaky(Throwable e) throws E {
        throw (E) e;
    }

    @Test
    void nestedAndConcurrentCallsRunSeriallyWithTheSameParts() throws Exception {
        Parallel parallel = new Parallel(3);
        int outer = 7, inner = 10;
        AtomicIntegerArray hits = new AtomicIntegerArray(outer * inner);
        AtomicIntegerArray innerParts = new AtomicIntegerArray(3);
        parallel.forRange(outer, (f, t) -> {
            for (int o = f; o < t; o++) {
                int base = o * inner;
                // a nested call on the same instance, from the caller and from the workers
                parallel.forParts(inner, (part, a, b) -> {
                    assertThat(a).isEqualTo(inner * part / 3);
                    assertThat(b).isEqualTo(inner * (part + 1) / 3);
                    innerParts.incrementAndGet(part);
                    for (int i = a; i < b; i++) {
                        hits.incrementAndGet(base + i);
                    }
                });
            }
        });
        for (int i = 0; i < outer * inner; i++) {
            assertThat(hits.get(i)).isEqualTo(1);
        }
        for (int p = 0; p < 3; p++) {
            assertThat(innerParts.get(p)).isEqualTo(outer);
        }

        // two threads calling the same instance at once: each call covers its range once
        int calls = 300, count = 50;
        AtomicIntegerArray total = new AtomicIntegerArray(2);
        CountDownLatch start = new CountDownLatch(1);
        Thread[] callers = new Thread[2];
        Throwable[] failed = new Throwable[2];
        for (int c = 0; c < 2; c++) {
            int id = c;
            callers[c] = new Thread(() -> {
                try {
                    start.await();
                    for (int k = 0; k < calls; k++) {
                        parallel.forRange(count, (f, t) -> total.addAndGet(id, t - f));
                    }
                } catch (Throwable e) {
                    failed[id] = e;
                }
            });
            callers[c].start();
        }
        start.countDown();
        for (Thread t : callers) {
            t.join(TimeUnit.MINUTES.toMillis(2));
            assertThat(t.isAlive()).as("a caller is stuck").isFalse();
        }
        assertThat(failed).containsOnlyNulls();
        assertThat(total.get(0)).isEqualTo(calls * count);
        assertThat(total.get(1)).isEqualTo(calls * count);
    }

    @Test
    void idleWorkersExitAndAreRestartedOnDemand() throws InterruptedException {
        Parallel parallel = new Parallel(3, TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(parallel.workerThreads()).as("no thread before the first call").containsOnlyNulls();
        AtomicInteger sum = new AtomicInteger();
        parallel.forRange(9, (f, t) -> sum.addAndGet(t - f));
        assertThat(sum.get()).isEqualTo(9);
        Thread[] first = parallel.workerThreads();
        assertThat(first).doesNotContainNull();
        // a liveness wait, not a timing assertion: the workers must be gone well before this deadline
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (parallel.liveWorkers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(parallel.liveWorkers()).as("workers left after their idle timeout").isZero();
        parallel.forRange(9, (f, t) -> sum.addAndGet(t - f));
        assertThat(sum.get()).isEqualTo(18);
        Thread[] second = parallel.workerThreads();
        for (int w = 0; w < first.length; w++) {
            assertThat(second[w]).as("worker %d restarted", w + 1).isNotNull().isNotSameAs(first[w]);
        }
    }

    /** A body made once; its calls capture nothing, so the calls themselves are all there is to count. */
    private static final class Sum implements Parallel.PartRange {
        final long[] perPart = new long[3];

        @Override
        public void run(int part, int from, int to) {
            perPart[part] += to - from;
        }
    }

    @Test
    void aCallAllocatesNothingOnTheCallerOrTheWorkers() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(mx.isThreadAllocatedMemorySupported()).isTrue();
        mx.setThreadAllocatedMemoryEnabled(true);
        Parallel parallel = new Parallel(3);
        Sum body = new Sum();
        int calls = 10_000;
        for (int i = 0; i < calls; i++) {
            parallel.forParts(300, body);
        }
        Thread[] workers = parallel.workerThreads();
        long[] before = new long[workers.length];
        for (int w = 0; w < workers.length; w++) {
            before[w] = mx.getThreadAllocatedBytes(workers[w].getId());
        }
        long callerBefore = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
            parallel.forParts(300, body);
        }
        long caller = mx.getCurrentThreadAllocatedBytes() - callerBefore;
        long onWorkers = 0;
        for (int w = 0; w < workers.length; w++) {
            onWorkers += mx.getThreadAllocatedBytes(workers[w].getId()) - before[w];
        }
        assertThat(body.perPart).containsExactly(2L * calls * 100, 2L * calls * 100, 2L * calls * 100);
        // the old pool made a Future, a list and a lambda per call: ≈ 200 bytes, 4 MB over these calls
        assertThat(caller).as("bytes allocated by the caller over %d calls", calls).isLessThan(1024);
        assertThat(onWorkers).as("bytes allocated by the workers over %d calls", calls).isLessThan(1024);
    }
}
