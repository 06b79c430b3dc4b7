package io.cnn4j.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.io.AtomicFiles;
import io.cnn4j.io.StrictJson;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;

/**
 * Chooses the vector kernels' block sizes and micro-kernel variant ({@link KernelTuning}) for the CPU at hand by measuring
 * them on first use and keeping the choice in a file per user, one entry per CPU model, vector
 * width and thread count; no Keras counterpart. The hosts this library runs on change generation
 * (Zen 4 executes a 512-bit FMA in two halves, Zen 5 in one; their L2 sizes differ), so a block
 * size measured on one is a guess on the other.
 *
 * <p>What is measured: first, where vectors hold 16 floats, the micro-kernel variant (6 or 14 rows
 * of C per block) on all the workloads below; then {@link VectorGemm} on the products a CNN makes
 * (a dense layer's x·W, an im2col convolution forward, its input gradient with B transposed, a
 * weight gradient whose depth is split over the threads) for each kc candidate, then each nc
 * candidate at the best kc; and the Winograd forward of two layer shapes for each chunk candidate. Candidates run in interleaved
 * rounds (each round times every candidate once, the order rotating), after two rounds thrown away
 * for the JIT. A candidate replaces the default only when, paired round by round with the default,
 * its median time ratio is at least {@link #MIN_GAIN} below 1 and it won three rounds in four:
 * these VMs swing ±10% from second to second, and a choice made by noise would be one no run can
 * reproduce (measured: with a plain "fastest median" rule three runs of {@code cnn4j tune} on one
 * Zen 4 host chose three different block sizes, all within 4% of each other).
 *
 * <p>The file ({@link #file()}): JSON, {@code "format": "cnn4j-kernel-tuning"}, a version, the
 * entries and a CRC-32 of the entries' text; read with a size bound and checked (format, version,
 * keys, every value one of the candidates, checksum). A damaged or foreign file is reported in one
 * line and measured over; it is written atomically. Policy: {@code cnn4j.tune} / {@code CNN4J_TUNE}
 * = {@code auto} (the default: the file's entry, else measure and add one) or {@code off} (the
 * defaults, no file read or written).
 */
public final class KernelTuner {
    public static final String PROPERTY = "cnn4j.tune";
    public static final String ENV = "CNN4J_TUNE";
    public static final String FILE_PROPERTY = "cnn4j.tuning.file";
    public static final String FILE_ENV = "CNN4J_TUNING_FILE";
    static final String FORMAT = "cnn4j-kernel-tuning";
    private static final String OFF = "defaults (" + PROPERTY + "=off)";
    /** 2: entries hold the micro-kernel variant (gemmRows); a version-1 file is measured over. */
    static final int VERSION = 2;
    /** Files larger than this are not ours (one entry is ≈ 300 bytes). */
    static final long MAX_FILE_BYTES = 1 << 20;
    /** The least gain (fraction of the default's time) for which a candidate replaces the default. */
    static final double MIN_GAIN = 0.05;
    /** Timed rounds of a first-use measurement ({@code cnn4j tune} may ask for more). */
    public static final int DEFAULT_ROUNDS = 15;
    /** Warm-up rounds (every candidate once each) before any is timed, at the least. */
    static final int WARMUP_MIN_ROUNDS = 2;
    /** Warm-up goes on until the JIT has compiled nothing for this many rounds in a row... */
    static final int WARMUP_QUIET_ROUNDS = 5;
    /** ...or for this long at most. */
    private static final long WARMUP_MAX_NANOS = 5_000_000_000L;

    /**
     * One candidate's measurement: its median milliseconds per round (all shapes) and its median
     * ratio to the default's time in the same round.
     */
    public record Timing(String knob, int value, double millis, double ratioToDefault) {
    }

    /** A measurement: the choice and every candidate's score, in the order measured. */
    public record Result(KernelTuning tuning, List<Timing> timings) {
    }

    /** What a model build gets: the tuning and where it came from (for {@code cnn4j bench}). */
    public record Choice(KernelTuning tuning, String source) {
    }

    /** The entry's key: which machine a tuning belongs to. */
    record Key(String cpu, int vectorLength, int threads) {
        static Key current(int vectorLength, int threads) {
            CpuModel m = CpuModel.current();
            return new Key(m.modelName() + " | family " + m.family() + " | model " + m.model() + " | " + m.vectorIsa(), vectorLength, threads);
        }
    }

    /** Measures the candidates for a key (the real one times VectorGemm; tests give a fake). */
    @FunctionalInterface
    interface Measurement {
        Result measure();
    }

    private final Path file;

    /** A tuner keeping its entries in {@code file}. */
    KernelTuner(Path file) {
        this.file = file;
    }

    /**
     * The tuning for {@code threads} threads on this machine, by the policy above.
     *
     * @param threads      the backend's thread count
     * @param vectorLength floats per vector of the kernels
     * @param gemmFactory  makes a vector GEMM with {@code threads} threads and the given block sizes
     * @return the tuning and its source
     */
    public static Choice forThisMachine(int threads, int vectorLength, Function<KernelTuning, Gemm> gemmFactory) {
        if (!enabled()) {
            return new Choice(KernelTuning.DEFAULTS, OFF);
        }
        return new KernelTuner(file()).choose(Key.current(vectorLength, threads),
                () -> measure(gemmFactory, DEFAULT_ROUNDS, vectorLength));
    }

    /**
     * Where the tuning of a backend built for {@code threads} threads came from, without measuring:
     * the policy, the file's entry, or a measurement that could not be saved.
     */
    public static String source(int threads, int vectorLength) {
        if (!enabled()) {
            return OFF;
        }
        KernelTuner tuner = new KernelTuner(file());
        // a damaged file was reported when the backend was built
        return tuner.find(tuner.entriesOrNone(false), Key.current(vectorLength, threads)).map(tuner::fromFile)
                .map(Choice::source).orElse("measured in this process (not saved)");
    }

    /**
     * Measures now (whatever the file holds) and records the result for this machine: {@code cnn4j tune}.
     *
     * @return the measurement
     * @throws IOException when the file cannot be written
     */
    public static Result remeasure(int threads, int vectorLength, Function<KernelTuning, Gemm> gemmFactory, int rounds) throws IOException {
        Result r = measure(gemmFactory, rounds, vectorLength);
        new KernelTuner(file()).store(Key.current(vectorLength, threads), r.tuning());
        return r;
    }

    /** Whether tuning is on: {@code cnn4j.tune} / {@code CNN4J_TUNE} is auto (the default) or off. */
    public static boolean enabled() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(ENV);
        }
        return enabled(v);
    }

    /** A policy value: null or blank (the default), auto or on → true; off → false; anything else is an error. */
    static boolean enabled(String v) {
        if (v == null || v.isBlank()) {
            return true;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "auto", "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(PROPERTY + "/" + ENV + " must be auto or off, got '" + v + "'");
        };
    }

    /** The tuning file: {@code cnn4j.tuning.file} / {@code CNN4J_TUNING_FILE}, else the user's cache directory. */
    public static Path file() {
        String v = System.getProperty(FILE_PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(FILE_ENV);
        }
        if (v != null && !v.isBlank()) {
            return Path.of(v.trim());
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("cnn4j").resolve("kernel-tuning.json");
    }

    /** The file's entry for {@code key}, else a measurement (added to the file when it can be written). */
    Choice choose(Key key, Measurement measurement) {
        List<Entry> entries = entriesOrNone(true);
        Optional<Entry> known = find(entries, key);
        if (known.isPresent()) {
            return fromFile(known.get());
        }
        Result r = measurement.measure();
        try {
            write(file, with(entries, new Entry(key, r.tuning(), Instant.now().toString())));
            return new Choice(r.tuning(), "measured now, " + file);
        } catch (IOException | RuntimeException e) {
            System.err.println("cnn4j: WARNING: cannot write kernel tuning file " + file + " (" + e.getMessage()
                    + "); using the measurement for this process only");
            return new Choice(r.tuning(), "measured now (not saved)");
        }
    }

    /** Records {@code tuning} as this key's entry (replacing an older one). */
    void store(Key key, KernelTuning tuning) throws IOException {
        write(file, with(entriesOrNone(false), new Entry(key, tuning, Instant.now().toString())));
    }

    /**
     * The file's entries; none when there is no file, or when it is damaged (then it is to be
     * replaced, and with {@code warn} one line says so).
     */
    private List<Entry> entriesOrNone(boolean warn) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return read(file);
        } catch (IOException | IllegalArgumentException e) {
            if (warn) {
                System.err.println("cnn4j: WARNING: kernel tuning file " + file + " is unreadable (" + e.getMessage()
                        + "); measuring again and replacing it");
            }
            return List.of();
        }
    }

    private static Optional<Entry> find(List<Entry> entries, Key key) {
        return entries.stream().filter(e -> e.key.equals(key)).findFirst();
    }

    private Choice fromFile(Entry e) {
        return new Choice(e.tuning, "measured " + e.measured + ", " + file);
    }

    private static List<Entry> with(List<Entry> entries, Entry added) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (!e.key.equals(added.key)) {
                out.add(e);
            }
        }
        out.add(added);
        return out;
    }

    // ---------------------------------------------------------------- the file

    record Entry(Key key, KernelTuning tuning, String measured) {
    }

    private static final Set<String> TOP_KEYS = Set.of("format", "version", "entries", "crc32");
    private static final Set<String> ENTRY_KEYS = Set.of("cpu", "vectorLength", "threads", "gemmKc", "gemmNc",
            "winogradChunkFloats", "gemmRows", "measured");

    static List<Entry> read(Path file) throws IOException {
        JsonNode root = StrictJson.read(file, MAX_FILE_BYTES);
        String where = file.toString();
        if (!root.isObject()) {
            throw new IllegalArgumentException(where + ": not a JSON object");
        }
        StrictJson.onlyKeys(root, TOP_KEYS, where);
        if (!FORMAT.equals(StrictJson.text(root.get("format"), where + ": format"))) {
            throw new IllegalArgumentException(where + ": format is not " + FORMAT);
        }
        long version = StrictJson.integer(root.get("version"), where + ": version", 1, Integer.MAX_VALUE);
        if (version != VERSION) {
            throw new IllegalArgumentException(where + ": version " + version + ", this cnn4j reads version " + VERSION);
        }
        JsonNode list = root.get("entries");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException(where + ": entries must be an array");
        }
        long crc = StrictJson.integer(root.get("crc32"), where + ": crc32", 0, 0xFFFFFFFFL);
        if (crc != crc32(list)) {
            throw new IllegalArgumentException(where + ": checksum mismatch (crc32 " + crc + ", entries give " + crc32(list) + ")");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String at = where + ": entries[" + i + "]";
            if (!e.isObject()) {
                throw new IllegalArgumentException(at + " is not an object");
            }
            StrictJson.onlyKeys(e, ENTRY_KEYS, at);
            Key key = new Key(StrictJson.text(e.get("cpu"), at + ".cpu"),
                    (int) StrictJson.integer(e.get("vectorLength"), at + ".vectorLength", 1, 1024),
                    (int) StrictJson.integer(e.get("threads"), at + ".threads", 1, 1 << 16));
            KernelTuning t = new KernelTuning(
                    candidate(e.get("gemmKc"), at + ".gemmKc", KernelTuning.KC_CANDIDATES),
                    candidate(e.get("gemmNc"), at + ".gemmNc", KernelTuning.NC_CANDIDATES),
                    candidate(e.get("winogradChunkFloats"), at + ".winogradChunkFloats", KernelTuning.CHUNK_CANDIDATES),
                    candidate(e.get("gemmRows"), at + ".gemmRows", KernelTuning.ROWS_CANDIDATES));
            out.add(new Entry(key, t, StrictJson.text(e.get("measured"), at + ".measured")));
        }
        return out;
    }

    /** A value that must be one of the candidates: a file cannot smuggle in a block size nobody measured. */
    private static int candidate(JsonNode v, String where, List<Integer> candidates) {
        long x = StrictJson.integer(v, where, 1, Integer.MAX_VALUE);
        if (!candidates.contains((int) x)) {
            throw new IllegalArgumentException(where + " = " + x + " is not one of " + candidates);
        }
        return (int) x;
    }

    static void write(Path file, List<Entry> entries) throws IOException {
        ObjectNode root = StrictJson.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode list = root.putArray("entries");
        for (Entry e : entries) {
            ObjectNode o = list.addObject();
            o.put("cpu", e.key.cpu());
            o.put("vectorLength", e.key.vectorLength());
            o.put("threads", e.key.threads());
            o.put("gemmKc", e.tuning.gemmKc());
            o.put("gemmNc", e.tuning.gemmNc());
            o.put("winogradChunkFloats", e.tuning.winogradChunkFloats());
            o.put("gemmRows", e.tuning.gemmRows());
            o.put("measured", e.measured);
        }
        root.put("crc32", crc32(list));
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        byte[] bytes = (StrictJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, bytes);
    }

    /** CRC-32 of the entries' compact JSON text (the same text whatever the file's whitespace). */
    private static long crc32(JsonNode entries) {
        try {
            CRC32 crc = new CRC32();
            crc.update(StrictJson.MAPPER.writeValueAsBytes(entries));
            return crc.getValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise tuning entries", e);
        }
    }

    // ---------------------------------------------------------------- the measurement

    /**
     * Times the candidates (see the class comment) with GEMMs from {@code gemmFactory}.
     *
     * @param gemmFactory  makes a GEMM with the backend's threads and the given block sizes
     * @param rounds       timed rounds (medians over them)
     * @param vectorLength floats per vector: the 14-row kernel is a candidate only at 16 (AVX-512,
     *                     32 registers); with 16 registers its 28 accumulators would spill
     * @return the choice and every candidate's score
     */
    static Result measure(Function<KernelTuning, Gemm> gemmFactory, int rounds, int vectorLength) {
        if (rounds < 1) {
            throw new IllegalArgumentException("tuning rounds must be ≥ 1, got " + rounds);
        }
        List<Timing> timings = new ArrayList<>();
        KernelTuning d = KernelTuning.DEFAULTS;
        // the kernel variant first, on every workload (it changes the GEMMs and the Winograd products)
        int bestRows = d.gemmRows();
        if (vectorLength >= 16) {
            List<KernelTuning> rows = new ArrayList<>();
            for (int mr : KernelTuning.ROWS_CANDIDATES) {
                rows.add(d.withGemmRows(mr));
            }
            bestRows = knob(rows, d, gemmFactory, rounds, KernelTuner::allProducts, KernelTuning::gemmRows, "gemmRows", timings);
        }
        KernelTuning base = d.withGemmRows(bestRows);
        List<KernelTuning> kcs = new ArrayList<>();
        for (int kc : KernelTuning.KC_CANDIDATES) {
            kcs.add(new KernelTuning(kc, base.gemmNc(), base.winogradChunkFloats(), bestRows));
        }
        int bestKc = knob(kcs, base, gemmFactory, rounds, KernelTuner::gemmProducts, KernelTuning::gemmKc, "gemmKc", timings);
        List<KernelTuning> ncs = new ArrayList<>();
        for (int nc : KernelTuning.NC_CANDIDATES) {
            ncs.add(new KernelTuning(bestKc, nc, base.winogradChunkFloats(), bestRows));
        }
        int bestNc = knob(ncs, new KernelTuning(bestKc, base.gemmNc(), base.winogradChunkFloats(), bestRows), gemmFactory, rounds,
                KernelTuner::gemmProducts, KernelTuning::gemmNc, "gemmNc", timings);
        List<KernelTuning> chunks = new ArrayList<>();
        for (int ch : KernelTuning.CHUNK_CANDIDATES) {
            chunks.add(new KernelTuning(bestKc, bestNc, ch, bestRows));
        }
        int bestChunk = knob(chunks, new KernelTuning(bestKc, bestNc, base.winogradChunkFloats(), bestRows), gemmFactory, rounds,
                KernelTuner::winogradForwards, KernelTuning::winogradChunkFloats, "winogradChunkFloats", timings);
        return new Result(new KernelTuning(bestKc, bestNc, bestChunk, bestRows), timings);
    }

    /**
     * One knob: every candidate in interleaved rounds, the best by {@link #pick}; a candidate other
     * than the fallback must then win again, alone against the fallback in as many fresh rounds
     * (recorded as "NAME recheck"). On these VMs a phase of a few seconds in which the machine runs
     * slower can favour one candidate over a whole measurement: with one measurement of 7 rounds,
     * two runs of {@code cnn4j tune} on the Zen 4 host each took a different non-default size (kc
     * 160; Winograd chunk 65536) that the other run, and three runs of 15 rounds, rated within 4%.
     */
    private static int knob(List<KernelTuning> candidates, KernelTuning fallback, Function<KernelTuning, Gemm> factory, int rounds,
                            java.util.function.BiFunction<Gemm, Operands, Timed> workload, Function<KernelTuning, Integer> value,
                            String name, List<Timing> timings) {
        Operands ops = new Operands();
        Timed[] timed = new Timed[candidates.size()];
        for (int i = 0; i < timed.length; i++) {
            timed[i] = workload.apply(factory.apply(candidates.get(i)), ops);
        }
        int best = pick(candidates, time(timed, rounds), fallback, value, name, timings);
        int f = candidates.indexOf(fallback);
        if (best == f) {
            return value.apply(fallback);
        }
        List<KernelTuning> pair = List.of(fallback, candidates.get(best));
        int again = pick(pair, time(new Timed[]{timed[f], timed[best]}, rounds), fallback, value, name + " recheck", timings);
        return value.apply(pair.get(again));
    }

    /**
     * The index of the candidate with the lowest median ratio to the fallback's time in the same
     * round (paired rounds: a slow second for the whole machine slows both), unless that ratio is
     * above 1 − {@link #MIN_GAIN} or the candidate won fewer than three rounds in four; then the
     * fallback's index: a choice the noise made would not be reproducible.
     */
    static int pick(List<KernelTuning> candidates, double[][] roundMillis, KernelTuning fallback,
                            Function<KernelTuning, Integer> knob, String name, List<Timing> timings) {
        int n = candidates.size(), f = candidates.indexOf(fallback);
        int rounds = roundMillis[0].length;
        int best = f;
        double bestRatio = 1;
        for (int i = 0; i < n; i++) {
            double[] ratio = new double[rounds];
            int wins = 0;
            for (int r = 0; r < rounds; r++) {
                ratio[r] = roundMillis[i][r] / roundMillis[f][r];
                wins += ratio[r] < 1 ? 1 : 0;
            }
            double medianRatio = median(ratio);
            timings.add(new Timing(name, knob.apply(candidates.get(i)), median(roundMillis[i]), medianRatio));
            if (i != f && medianRatio <= 1 - MIN_GAIN && 4 * wins >= 3 * rounds && medianRatio < bestRatio) {
                best = i;
                bestRatio = medianRatio;
            }
        }
        return best;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    /** A candidate's workload, set up once (buffers allocated and touched outside the timing); returns nanoseconds per shape. */
    private interface Timed {
        long[] run();
    }

    /** Milliseconds per candidate and round (all the workload's shapes), in interleaved rounds, after {@link #warmUp}. */
    private static double[][] time(Timed[] timed, int rounds) {
        int n = timed.length;
        warmUp(timed);
        double[][] millis = new double[n][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < n; j++) {
                int i = Math.floorMod(j + r, n); // rotate the order: no candidate always runs first
                millis[i][r] = Arrays.stream(timed[i].run()).sum() / 1e6;
            }
        }
        return millis;
    }

    /**
     * Runs the candidates in rounds, untimed, until the JIT has compiled nothing for
     * {@link #WARMUP_QUIET_ROUNDS} rounds (at least {@link #WARMUP_MIN_ROUNDS}, at most
     * {@link #WARMUP_MAX_NANOS}). A fixed two rounds was not enough: a kernel that reaches its
     * compiled speed later than the others is measured at its interpreted or C1 speed, i.e. the
     * compile order, not the kernel (measured, Intel Xeon family 6 model 167, when the edge blocks
     * still had a kernel of their own: a one-image Winograd forward, 48×48×32 → 64, took 1.3 ms with
     * 14 rows for its first 37 calls, then 0.35 ms; with 6 rows 0.9 ms for 17 calls, then 0.40 ms;
     * two warm-up rounds had called 14 rows 1.39× slower).
     */
    private static void warmUp(Timed[] timed) {
        int n = timed.length;
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        LongSupplier compiled = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit::getTotalCompilationTime : null;
        int[] round = {0};
        warmUpRounds(() -> {
            for (int j = 0; j < n; j++) {
                timed[Math.floorMod(j + round[0], n)].run();
            }
            round[0]++;
        }, compiled, System::nanoTime, WARMUP_MAX_NANOS);
    }

    /**
     * The warm-up rule: runs {@code round} at least {@link #WARMUP_MIN_ROUNDS} times, then until
     * {@code compiledMillis} (the JIT's total compile time; null when the JVM does not report it:
     * then the minimum only) has not moved for {@link #WARMUP_QUIET_ROUNDS} rounds in a row or
     * {@code maxNanos} have passed on {@code clock}.
     *
     * @return the rounds run
     */
    static int warmUpRounds(Runnable round, LongSupplier compiledMillis, LongSupplier clock, long maxNanos) {
        long deadline = clock.getAsLong() + maxNanos;
        long last = -1;
        int quiet = 0, r = 0;
        while (r < WARMUP_MIN_ROUNDS || (compiledMillis != null && quiet < WARMUP_QUIET_ROUNDS && clock.getAsLong() < deadline)) {
            round.run();
            r++;
            long now = compiledMillis == null ? 0 : compiledMillis.getAsLong();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
        return r;
    }

    /** Seeded operands, made once per measurement and shared by every candidate. */
    private static final class Operands {
        final float[] a = fill(2304 * 576, 1), b = fill(4608 * 576, 2), c = new float[2304 * 576];

        private static float[] fill(int n, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextDouble() - 0.5);
            }
            return x;
        }
    }

    /** The GEMM products and the Winograd forwards together: for the kernel variant, which changes both. */
    private static Timed allProducts(Gemm g, Operands o) {
        Timed products = gemmProducts(g, o), winograd = winogradForwards(g, o);
        return () -> {
            long[] p = products.run(), w = winograd.run();
            long[] t = Arrays.copyOf(p, p.length + w.length);
            System.arraycopy(w, 0, t, p.length, w.length);
            return t;
        };
    }

    /** The products of a CNN step (shapes of the seed net's layers, scaled to a few ms in all). */
    private static Timed gemmProducts(Gemm g, Operands o) {
        return () -> gemmProducts(g, o, new long[4]);
    }

    private static long[] gemmProducts(Gemm g, Operands o, long[] t) {
        long t0 = System.nanoTime();
        // a dense layer's x · W: 32 × 4096 times 4096 × 256 (split by columns)
        g.sgemm(false, false, 32, 256, 4096, 1f, o.a, 0, 4096, o.b, 0, 256, 0f, o.c, 0, 256);
        long t1 = System.nanoTime();
        // an im2col convolution forward: 2304 pixels × 576 (3·3·64) times 576 × 64
        g.sgemm(false, false, 2304, 64, 576, 1f, o.a, 0, 576, o.b, 0, 64, 0f, o.c, 0, 64);
        long t2 = System.nanoTime();
        // its input gradient: dY (2304 × 64) · Wᵀ (64 × 576), B transposed
        g.sgemm(false, true, 2304, 576, 64, 1f, o.a, 0, 64, o.b, 0, 64, 0f, o.c, 0, 576);
        long t3 = System.nanoTime();
        // a weight gradient: colsᵀ (576 × 4608) · dY (4608 × 64), depth split over the threads
        g.sgemm(true, false, 576, 64, 4608, 1f, o.b, 0, 576, o.a, 0, 64, 0f, o.c, 0, 64);
        long t4 = System.nanoTime();
        t[0] = t1 - t0;
        t[1] = t2 - t1;
        t[2] = t3 - t2;
        t[3] = t4 - t3;
        return t;
    }

    /** Winograd forwards of one image on one thread: 98×98×32 → 32 filters and 48×48×32 → 64 (valid). */
    private static Timed winogradForwards(Gemm g, Operands o) {
        Gemm one = g.forOneThread() != null ? g.forOneThread() : g;
        int chunk = g.tuning().winogradChunkFloats();
        Timed first = winograd(one, o, 98, 32, 32, chunk), second = winograd(one, o, 48, 32, 64, chunk);
        return () -> new long[]{first.run()[0], second.run()[0]};
    }

    private static Timed winograd(Gemm gemm, Operands o, int size, int channels, int filters, int chunk) {
        ConvGeometry geo = ConvGeometry.of(size, 3, 1, Padding.VALID);
        WinogradConv3x3 w = new WinogradConv3x3(channels, filters, geo, geo, chunk);
        WinogradConv3x3.Workspace ws = w.newWorkspace();
        float[] u = new float[w.transformedKernelSize()];
        w.transformKernel(Arrays.copyOf(o.b, 9 * channels * filters), u);
        return () -> {
            long t0 = System.nanoTime();
            w.forward(gemm, ws, o.a, 0, u, o.c, 0);
            return new long[]{System.nanoTime() - t0};
        };
    }
}
