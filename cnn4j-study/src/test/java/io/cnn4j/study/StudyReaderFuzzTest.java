package io.cnn4j.study;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Issue 15's fuzz tests for the study's readers: 100,000 mutated study files and 100,000 mutated
 * results files (seeded). Each read returns a result or throws the documented exception
 * (IllegalArgumentException, of which InvalidSettingException for study files; UncheckedIOException
 * for I/O), the message names the file, and the allocation stays within a bound of the input's size.
 */
class StudyReaderFuzzTest {
    /** 100,000 per reader (issue 15); -Dcnn4j.fuzz.tries=N runs fewer or more. */
    static final int TRIES = Integer.getInteger("cnn4j.fuzz.tries", 100_000);
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final String[] TOKENS = {"0", "-1", "1e12", "2147483648", "null", "\"abc\"", "[]", "{}", "true", "[1, 2]", "0.5", "\"max\"",
            "\"none\"", "\"after\"", "NaN", "1.0", "\"\\u0000\"", "{\"dropout\": \"none\"}"};

    @TempDir
    static Path dir;

    /** Reads one input given as bytes; {@code file} is what the messages must name. */
    interface Reader {
        Object read(Path file, byte[] bytes) throws Exception;
    }

    /** Text edits (JSON values replaced by hostile ones, characters flipped, cut, appended) and byte damage. */
    static byte[] mutate(byte[] valid, SplittableRandom r) {
        String s = new String(valid, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(s);
        int edits = 1 + r.nextInt(3);
        for (int k = 0; k < edits && sb.length() > 0; k++) {
            switch (r.nextInt(6)) {
                case 0 -> sb.setCharAt(r.nextInt(sb.length()), "{}[],:\"0123456789-e. \n".charAt(r.nextInt(22)));
                case 1 -> sb.setLength(r.nextInt(sb.length()));
                case 2 -> sb.append(TOKENS[r.nextInt(TOKENS.length)]);
                case 3 -> sb.insert(r.nextInt(sb.length()), TOKENS[r.nextInt(TOKENS.length)]);
                default -> {
                    int colon = sb.indexOf(":", r.nextInt(sb.length()));
                    if (colon >= 0) {
                        int end = colon + 1;
                        while (end < sb.length() && ",}]\n".indexOf(sb.charAt(end)) < 0) {
                            end++;
                        }
                        sb.replace(colon + 1, end, " " + TOKENS[r.nextInt(TOKENS.length)]);
                    }
                }
            }
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (b.length > 0 && r.nextInt(8) == 0) {
            b[r.nextInt(b.length)] = (byte) (0x80 + r.nextInt(128)); // invalid UTF-8 now and then
        }
        return b;
    }

    static Map<String, Integer> fuzz(byte[] valid, Path file, Reader reader) throws Exception {
        Map<String, Integer> outcomes = new TreeMap<>();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 20; i++) { // warm up: class loading is not the reader's allocation
            reader.read(file, valid);
        }
        for (int seed = 0; seed < TRIES; seed++) {
            byte[] input = mutate(valid, new SplittableRandom(seed));
            long before = THREADS.getThreadAllocatedBytes(thread);
            Object result = null;
            Throwable thrown = null;
            try {
                result = reader.read(file, input);
            } catch (Throwable e) {
                thrown = e;
            }
            long allocated = THREADS.getThreadAllocatedBytes(thread) - before; // before the assertions, which allocate
            String outcome;
            if (thrown == null) {
                assertThat(result).isNotNull();
                outcome = "ok";
            } else if (thrown instanceof IllegalArgumentException || thrown instanceof UncheckedIOException) {
                if (thrown.getMessage() == null || !thrown.getMessage().contains(file.toString())) {
                    fail("seed " + seed + ": the message does not name " + file + ": " + thrown.getMessage(), thrown);
                }
                outcome = thrown.getClass().getSimpleName();
            } else {
                fail("seed " + seed + ": undocumented " + thrown + " for input " + new String(input, StandardCharsets.UTF_8), thrown);
                return outcomes;
            }
            if (allocated > (1 << 20) + 256L * input.length) {
                fail("seed " + seed + ": reading " + input.length + " bytes allocated " + allocated);
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.println("fuzz " + file.getFileName() + ": " + outcomes);
        assertThat(outcomes.keySet()).contains("ok").hasSizeGreaterThan(1);
        return outcomes;
    }

    @Test
    void studyFileReaderRefusesMutatedFilesCleanly() throws Exception {
        byte[] valid = ("{\"variants\": [{\"pooling\": \"max\", \"dropout\": \"dropout\", \"position\": \"before\", \"rate\": 0.5},\n"
                + " {\"pooling\": \"avg\", \"dropout\": \"spatial\", \"position\": \"after\", \"rate\": 0.25}, {\"dropout\": \"none\"}],\n"
                + " \"baseline\": {\"pooling\": \"max\", \"dropout\": \"dropout\", \"position\": \"after\", \"rate\": 0.25},\n"
                + " \"seeds\": 3, \"epochs\": 5}\n").getBytes(StandardCharsets.UTF_8);
        // StudyFile.read(file) is readText + parse: the fuzzer drives parse in memory (100,000 disk writes are slow)
        fuzz(valid, dir.resolve("fuzz-study.json"), (f, b) -> StudyFile.parse(b, f));
    }

    @Test
    void resultsFileReaderRefusesMutatedFilesCleanly() throws Exception {
        StudyConfig tiny = StudyFixtures.tiny(dir.resolve("out"), 1, 1, List.of("none"), 1);
        Study.Outcome o = Study.run(tiny, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        byte[] valid = Files.readAllBytes(o.directory().resolve("results.jsonl"));
        fuzz(valid, dir.resolve("fuzz-results.jsonl"), (f, b) -> {
            Map<String, ResultsFile.TrialLog> logs = ResultsFile.parse(b, f);
            return ResultsFile.finishedResults(logs.values());
        });
    }
}
