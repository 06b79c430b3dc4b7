package io.cnn4j.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A seeded mutation fuzzer for file readers: mutates a valid file many times (bit flips, byte
 * overwrites, 32-bit header fields set to extreme values, truncation, appended bytes) and checks,
 * for every input: the reader returns a result or throws one of its documented exceptions; every
 * message names the file; and the bytes the reading thread allocated stay within a bound that
 * follows from the input's length (so a header's claim alone never makes it allocate).
 */
final class FuzzHarness {
    static final int[] EXTREMES = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7FFFFFF0, 65535, 256, 2, 10_000_000};
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FuzzHarness() {
    }

    /** Reads one input; {@code file} is the path the reader must name in its messages. */
    interface Reader {
        Object read(Path file, byte[] bytes) throws Exception;
    }

    /** Mutates a valid input. */
    interface Mutator {
        byte[] mutate(byte[] valid, SplittableRandom r);
    }

    /** Applies 1 to 4 random byte-level mutations; header fields are looked for in the first {@code headerBytes}. */
    static Mutator bytes(int headerBytes) {
        return (valid, r) -> {
            byte[] b = valid.clone();
            int count = 1 + r.nextInt(4);
            for (int k = 0; k < count; k++) {
                if (b.length == 0) {
                    break;
                }
                switch (r.nextInt(6)) {
                    case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                    case 1 -> b[r.nextInt(Math.min(b.length, headerBytes))] = (byte) r.nextInt(256);
                    case 2 -> {
                        int at = r.nextInt(Math.max(1, Math.min(b.length, headerBytes) - 3));
                        if (at + 4 <= b.length) {
                            ByteBuffer.wrap(b).order(r.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                                    .putInt(at, EXTREMES[r.nextInt(EXTREMES.length)]);
                        }
                    }
                    case 3 -> b = Arrays.copyOf(b, r.nextInt(b.length));
                    case 4 -> b = Arrays.copyOf(b, b.length + 1 + r.nextInt(100));
                    default -> b[r.nextInt(b.length)] = (byte) (r.nextBoolean() ? 0 : 0xFF);
                }
            }
            return b;
        };
    }

    /**
     * Runs {@code tries} mutated inputs; returns how often each outcome ("ok" or an exception class) occurred.
     *
     * @param toFile       write each input to {@code file} before reading (readers that take a path)
     * @param allowed      the documented exception types
     * @param perByte      allowed allocation per input byte
     * @param fixed        allowed allocation regardless of the input (buffers, the parsed model's workspaces)
     */
    static Map<String, Integer> run(byte[] valid, Mutator mutator, Reader reader, Path file, boolean toFile, int tries,
                                    List<Class<? extends Throwable>> allowed, long perByte, long fixed) throws IOException {
        Map<String, Integer> outcomes = new TreeMap<>();
        long thread = Thread.currentThread().getId();
        // warm up: the first reads load classes and fill caches, which is not the reader's allocation
        for (int i = 0; i < 20; i++) {
            if (toFile) {
                Files.write(file, valid);
            }
            try {
                reader.read(file, valid);
            } catch (Exception e) {
                throw new AssertionError("the valid input does not read: " + e, e);
            }
        }
        long total = 0;
        long slowest = 0;
        for (int seed = 0; seed < tries; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            byte[] input = mutator.mutate(valid, r);
            if (toFile) {
                Files.write(file, input);
            }
            long before = THREADS.getThreadAllocatedBytes(thread);
            Object result = null;
            Throwable thrown = null;
            try {
                result = reader.read(file, input);
            } catch (Throwable e) {
                thrown = e;
            }
            // measured before any assertion: the checks below allocate, the reader is what is bounded
            long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
            String outcome;
            if (thrown == null) {
                assertThat(result).isNotNull();
                outcome = "ok";
            } else {
                Throwable e = thrown;
                if (allowed.stream().noneMatch(c -> c.isInstance(e))) {
                    fail("seed " + seed + ": the reader threw " + e + ", not a documented exception", e);
                }
                String m = e.getMessage();
                if (m == null || !m.contains(file.toString())) {
                    fail("seed " + seed + ": the message does not name the file " + file + ": " + m, e);
                }
                outcome = e.getClass().getSimpleName();
            }
            long bound = fixed + perByte * input.length;
            if (allocated > bound) {
                fail("seed " + seed + ": reading " + input.length + " bytes allocated " + allocated + " bytes, more than the bound " + bound
                        + " (" + outcome + ")");
            }
            total += allocated;
            slowest = Math.max(slowest, allocated);
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.println("  " + file.getFileName() + ": mean allocation " + total / Math.max(1, tries) + " bytes, largest " + slowest);
        return outcomes;
    }
}
