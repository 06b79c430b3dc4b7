package io.cnn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.CpuModel;
import io.cnn4j.kernels.KernelTuning;
import io.cnn4j.kernels.FmaPeak;
import io.cnn4j.kernels.VectorGemmProvider;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.Parameter;
import io.cnn4j.losses.Loss;
import io.cnn4j.model.Architectures;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code cnn4j bench}: training and inference throughput of a built-in model on random data, the
 * GEMM backend's own GFLOP/s on the model's products measured in the same run, and memory peaks.
 * The training step is the Keras example's (SGD lr 0.01, momentum 0.9, Nesterov, decay 1e-6,
 * categorical cross-entropy), the same as the PyTorch peer script in {@code shared/bench}; FLOPs
 * are counted the same way too (conv and dense multiply-adds × 2, training = 3 × forward).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures training and inference images/s, GFLOP/s, the GEMM backend's GFLOP/s and memory peaks.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "vgg-like",
            description = "vgg-like (default), simple-cnn, or fashion (= vgg-like on 28,28,1)")
    String model;

    @Option(names = "--shape", description = "input shape H,W,C (default 100,100,3; 28,28,1 for --model fashion)", split = ",")
    int[] shape;

    @Option(names = "--classes", defaultValue = "10", description = "output classes (default: ${DEFAULT-VALUE})")
    int classes;

    @Option(names = "--batch", defaultValue = "32", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--backend", description = "GEMM backend: openblas, vector, scalar (default: the best available)")
    String backend;

    @Option(names = "--warmup", defaultValue = "5", description = "untimed batches first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--iters", defaultValue = "10", description = "batches per timed repeat (default: ${DEFAULT-VALUE})")
    int iters;

    @Option(names = "--repeats", defaultValue = "7", description = "timed repeats (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--mode", defaultValue = "both", description = "train, infer or both (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--profile", description = "also time each layer's forward and backward (ms per batch) and its fraction of the FMA peak")
    boolean profile;

    @Option(names = "--latency", paramLabel = "CALLS",
            description = "also time CALLS single-image inference calls (batch 1) and print p50/p99 latency (default: 0, off)")
    int latencyCalls;

    @Option(names = "--fma-peak", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "measure the machine's FMA peak (GFLOP/s on --threads threads and on one, Vector API; default: on)")
    boolean fmaPeak;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Option(names = "--out", description = "also write the JSON result to this file")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (latencyCalls < 0 || latencyCalls > 1_000_000) {
            throw new io.cnn4j.model.InvalidSettingException("bench: --latency must be between 0 and 1000000 calls, got " + latencyCalls);
        }
        if (batch < 1 || iters < 1 || repeats < 1 || warmup < 0 || classes < 2) {
            throw new io.cnn4j.model.InvalidSettingException("bench: --batch, --iters, --repeats must be ≥ 1, --warmup ≥ 0, --classes ≥ 2; got --batch "
                    + batch + ", --iters " + iters + ", --repeats " + repeats + ", --warmup " + warmup + ", --classes " + classes);
        }
        if (!List.of("train", "infer", "both").contains(mode)) {
            throw new IllegalArgumentException("bench: --mode must be train, infer or both, got '" + mode + "'");
        }
        String arch = model;
        int[] in = shape;
        if (model.equalsIgnoreCase("fashion")) {
            arch = "vgg-like";
            in = in == null ? new int[]{28, 28, 1} : in;
        }
        in = in == null ? new int[]{100, 100, 3} : in;
        if (in.length != 3) {
            throw new IllegalArgumentException("bench: --shape must be H,W,C, got " + Arrays.toString(in));
        }
        int nThreads = threads.apply(spec.commandLine());
        // layers read their thread count from the model's build context, which reads this property
        System.setProperty(Backends.THREADS_PROPERTY, Integer.toString(nThreads));
        Gemm gemm = Backends.select(backend != null ? backend.toLowerCase(Locale.ROOT) : Backends.requested(), nThreads);

        Sequential net = Architectures.create(arch, in, classes, seed);
        net.gemm(gemm);
        net.compile(new SGD(0.01, 0.9, true, 1e-6), "categorical_crossentropy");
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = randomImages(r, batch, in);
        Tensor y = randomOneHot(r, batch, classes);

        Map<String, Object> res = new LinkedHashMap<>();
        res.put("workload", model.equalsIgnoreCase("fashion") ? "fashion" : arch);
        res.put("model", arch);
        res.put("input_shape", in);
        res.put("batch", batch);
        res.put("threads", nThreads);
        res.put("backend", gemm.name());
        res.put("kernel_tuning", tuning(gemm, nThreads));
        Map<String, String> algorithms = new LinkedHashMap<>();
        for (Layer l : net.layers()) {
            if (l instanceof Conv2D c) {
                algorithms.put(c.name(), c.algorithm());
            }
        }
        res.put("conv_algorithms", algorithms);
        res.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        res.put("warmup_iters", warmup);
        res.put("iters_per_repeat", iters);
        res.put("repeats", repeats);
        List<Product> products = forwardProducts(net, batch);
        long fwdMacs = 0;
        for (Product p : products) {
            fwdMacs += p.macs();
        }
        double fwdFlopsPerImage = 2.0 * fwdMacs / batch;
        res.put("forward_flops_per_image", fwdFlopsPerImage);

        if (!mode.equals("infer")) {
            res.put("train", timed(() -> net.trainOnBatch(x, y), fwdFlopsPerImage * 3));
            // training runs first, so this peak is training's alone (the GEMM test below allocates big arrays)
            res.put("peak_rss_mib_after_train", MemoryPeaks.residentKiB() / 1024.0);
            res.put("peak_heap_mib_after_train", MemoryPeaks.heapBytes() / (1024.0 * 1024.0));
        }
        if (!mode.equals("train")) {
            res.put("infer", timed(() -> net.forward(x, false), fwdFlopsPerImage));
        }
        if (latencyCalls > 0) {
            res.put("latency_batch1", latency(net, x, in));
        }
        res.put("gemm", gemmSpeed(gemm, products));
        // a few images: enough for the error statistics, at least one per thread so Winograd runs as in training
        res.put("conv_error", ConvErrorCheck.measure(net, x, Math.max(2, nThreads), gemm, nThreads));
        if (fmaPeak) {
            res.put("fma_peak", fmaPeak(nThreads));
        }
        if (profile) {
            res.put("profile", profile(net, x, y, products, batch,
                    res.get("fma_peak") instanceof Map<?, ?> peak ? (Double) peak.get("gflops") : Double.NaN));
        }
        res.put("peak_heap_mib", MemoryPeaks.heapBytes() / (1024.0 * 1024.0));
        res.put("peak_rss_mib", MemoryPeaks.residentKiB() / 1024.0);
        res.put("loadavg", loadAverage());

        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        if (out != null) {
            Files.writeString(out, mapper.writeValueAsString(res));
        }
        if (json) {
            System.out.println(mapper.writeValueAsString(res));
        } else {
            printHuman(res);
        }
        return 0;
    }

    // ---- timing -------------------------------------------------------------------------------

    private Map<String, Object> timed(Runnable step, double flopsPerImage) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] seconds = new double[repeats];
        long allocatedBefore = allocatedBytesAllThreads();
        for (int rep = 0; rep < repeats; rep++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                step.run();
            }
            seconds[rep] = (System.nanoTime() - t0) / 1e9;
        }
        long allocated = allocatedBytesAllThreads() - allocatedBefore;
        double[] ips = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            ips[i] = (double) iters * batch / seconds[i];
        }
        double[] sortedSec = seconds.clone();
        Arrays.sort(sortedSec);
        double medianSec = median(sortedSec);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repeat_seconds", seconds);
        m.put("images_per_s_all", ips);
        m.put("images_per_s_max", iters * batch / sortedSec[0]);
        m.put("images_per_s_median", iters * batch / medianSec);
        m.put("ms_per_batch_min", 1000 * sortedSec[0] / iters);
        m.put("ms_per_batch_median", 1000 * medianSec / iters);
        m.put("gflops_at_max", iters * batch / sortedSec[0] * flopsPerImage / 1e9);
        m.put("gflops_at_median", iters * batch / medianSec * flopsPerImage / 1e9);
        // heap bytes allocated per batch in steady state, by all live threads (JVM counters)
        m.put("allocated_bytes_per_batch", allocated < 0 ? -1 : (double) allocated / (repeats * iters));
        return m;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    // ---- FLOPs and the backend's own speed ---------------------------------------------------

    /** One forward GEMM of the model as its layer issues it: m × n × k, m covering the whole batch. */
    record Product(String layer, int m, int n, int k) {
        long macs() {
            return (long) m * n * k;
        }
    }

    /** The forward products of the conv and dense layers at this batch size (their multiply-adds are the model's FLOPs). */
    static List<Product> forwardProducts(Sequential net, int batch) {
        List<Product> out = new ArrayList<>();
        for (Layer l : net.layers()) {
            if (l instanceof Conv2D c) {
                int[] o = l.outputShape();
                int[] i = l.inputShape();
                int[] ks = c.config().kernelSize();
                out.add(new Product(l.name(), batch * o[0] * o[1], o[2], ks[0] * ks[1] * i[2]));
            } else if (l instanceof Dense) {
                out.add(new Product(l.name(), batch, l.outputShape()[0], l.inputShape()[0]));
            }
        }
        return out;
    }

    /**
     * SGEMM GFLOP/s of the backend on the model's forward products (each capped at 32 768 rows to
     * bound memory), total FLOPs over total time, best of a few repeats after a warm-up.
     */
    private Map<String, Object> gemmSpeed(Gemm gemm, List<Product> products) {
        SplittableRandom r = new SplittableRandom(1);
        List<Map<String, Object>> rows = new ArrayList<>();
        double totalFlops = 0, totalSeconds = 0;
        for (Product p : products) {
            int m = Math.min(p.m(), 32_768);
            float[] a = randomArray(r, m * p.k()), b = randomArray(r, p.k() * p.n()), c = new float[m * p.n()];
            double flops = 2.0 * m * p.n() * p.k();
            int reps = (int) Math.max(3, Math.min(50, 2e9 / flops));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < reps + 2; i++) {
                long t0 = System.nanoTime();
                gemm.sgemm(false, false, m, p.n(), p.k(), 1f, a, 0, p.k(), b, 0, p.n(), 0f, c, 0, p.n());
                double s = (System.nanoTime() - t0) / 1e9;
                if (i >= 2) {
                    best = Math.min(best, s);
                }
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("layer", p.layer());
            row.put("m", m);
            row.put("n", p.n());
            row.put("k", p.k());
            row.put("gflops", flops / best / 1e9);
            rows.add(row);
            totalFlops += flops;
            totalSeconds += best;
        }
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("backend", gemm.name());
        g.put("gflops_forward_products", totalFlops / totalSeconds / 1e9);
        g.put("products", rows);
        return g;
    }

    // ---- per-layer profile -------------------------------------------------------------------

    /**
     * Milliseconds per batch for each layer's training forward and backward, its inference forward,
     * and the optimizer step (medians); with the FMA peak, each conv and dense layer's fraction of it,
     * counting direct-convolution FLOPs (so Winograd, which multiplies less, can pass 100%) and twice
     * the forward FLOPs for the backward pass (input and kernel gradients).
     */
    private List<Map<String, Object>> profile(Sequential net, Tensor x, Tensor y, List<Product> products, int batch, double peakGflops) {
        List<Layer> layers = net.layers();
        int rounds = Math.max(3, iters);
        double[][] inf = new double[layers.size()][rounds];
        for (int round = -Math.max(1, warmup); round < rounds; round++) {
            Tensor h = x;
            for (int i = 0; i < layers.size(); i++) {
                long t0 = System.nanoTime();
                h = layers.get(i).forward(h, false);
                if (round >= 0) {
                    inf[i][round] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        Map<String, Double> layerFlops = new HashMap<>();
        for (Product p : products) {
            layerFlops.put(p.layer(), 2.0 * p.macs());
        }
        double[][] fwd = new double[layers.size()][rounds];
        double[][] bwd = new double[layers.size()][rounds];
        double[] opt = new double[rounds];
        Loss loss = net.loss();
        Tensor lossGrad = null;
        for (int round = -Math.max(1, warmup); round < rounds; round++) {
            Tensor h = x;
            for (int i = 0; i < layers.size(); i++) {
                long t0 = System.nanoTime();
                h = layers.get(i).forward(h, true);
                if (round >= 0) {
                    fwd[i][round] = (System.nanoTime() - t0) / 1e6;
                }
            }
            for (Parameter p : net.parameters()) {
                p.zeroGrad();
            }
            if (lossGrad == null) {
                lossGrad = Tensor.zeros(h.shape());
            }
            Layer last = layers.get(layers.size() - 1);
            Tensor g;
            long t0 = System.nanoTime();
            if (last.endsWithSoftmax() && loss.gradientThroughSoftmax(h, y, lossGrad)) {
                g = last.backwardFromLogits(lossGrad);
            } else {
                loss.gradient(h, y, lossGrad);
                g = last.backward(lossGrad);
            }
            if (round >= 0) {
                bwd[layers.size() - 1][round] = (System.nanoTime() - t0) / 1e6;
            }
            for (int i = layers.size() - 2; i >= 0; i--) {
                t0 = System.nanoTime();
                g = layers.get(i).backward(g);
                if (round >= 0) {
                    bwd[i][round] = (System.nanoTime() - t0) / 1e6;
                }
            }
            t0 = System.nanoTime();
            net.optimizer().step(net.parameters());
            if (round >= 0) {
                opt[round] = (System.nanoTime() - t0) / 1e6;
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("layer", layers.get(i).name());
            row.put("type", layers.get(i).className());
            row.put("forward_ms", medianOf(fwd[i]));
            row.put("backward_ms", medianOf(bwd[i]));
            row.put("infer_forward_ms", medianOf(inf[i]));
            Double flops = layerFlops.get(layers.get(i).name());
            if (flops != null && peakGflops > 0) {
                // GFLOP/s = FLOPs / (ms · 1e6)
                row.put("forward_peak_fraction", flops / ((Double) row.get("forward_ms") * 1e6) / peakGflops);
                row.put("backward_peak_fraction", 2 * flops / ((Double) row.get("backward_ms") * 1e6) / peakGflops);
                row.put("infer_peak_fraction", flops / ((Double) row.get("infer_forward_ms") * 1e6) / peakGflops);
            }
            rows.add(row);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("layer", "optimizer");
        row.put("type", net.optimizer().name());
        row.put("forward_ms", 0.0);
        row.put("backward_ms", medianOf(opt));
        row.put("infer_forward_ms", 0.0);
        rows.add(row);
        return rows;
    }

    /**
     * Single-image inference latency: {@code latencyCalls} calls of {@code forward} on one image
     * (after as many warm-up calls, at least 50), each timed alone; p50, p99, mean and max in ms.
     */
    private Map<String, Object> latency(Sequential net, Tensor batchImages, int[] in) {
        int item = in[0] * in[1] * in[2];
        Tensor one = new Tensor(Arrays.copyOf(batchImages.data(), item), 1, in[0], in[1], in[2]);
        for (int i = 0; i < Math.max(50, latencyCalls); i++) {
            net.forward(one, false);
        }
        double[] ms = new double[latencyCalls];
        for (int i = 0; i < latencyCalls; i++) {
            long t0 = System.nanoTime();
            net.forward(one, false);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("calls", latencyCalls);
        m.put("p50_ms", percentile(sorted, 0.50));
        m.put("p99_ms", percentile(sorted, 0.99));
        m.put("mean_ms", Arrays.stream(ms).average().orElse(Double.NaN));
        m.put("max_ms", sorted[sorted.length - 1]);
        return m;
    }

    /** The nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    /** The FMA peak on this many threads, or on one thread and on all of them, with the vector width. */
    private static Map<String, Object> fmaPeak(int threads) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!new VectorGemmProvider().isAvailable()) {
            m.put("gflops", Double.NaN);
            m.put("unavailable", new VectorGemmProvider().unavailableReason());
            return m;
        }
        double all = FmaPeak.gflops(threads, 5, 200);
        double one = threads == 1 ? all : FmaPeak.gflops(1, 5, 200);
        return checkedPeak(threads, FmaPeak.lanes(), all, one, CpuModel.describe());
    }

    /**
     * The FMA peak as measured, unless it is below what any CPU with these vectors gives (one FMA
     * pipe at 1 GHz: 2 × lanes GFLOP/s per thread): then the measuring loop ran as unvectorised
     * code (seen once in about twenty processes on the Zen 5 host: 21.5 GFLOP/s on 2 threads where
     * the C loop gave 453.9 minutes before), "gflops" is NaN so that no layer gets a fraction of
     * it, and "implausible" says why.
     */
    static Map<String, Object> checkedPeak(int threads, int lanes, double gflops, double oneThread, String cpu) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", threads);
        m.put("lanes", lanes);
        double floor = 2.0 * lanes;
        if (!(gflops >= floor * threads) || !(oneThread >= floor)) {
            m.put("gflops", Double.NaN);
            m.put("gflops_one_thread", Double.NaN);
            m.put("measured_gflops", gflops);
            m.put("measured_gflops_one_thread", oneThread);
            m.put("implausible", String.format(Locale.ROOT, "the FMA loop measured %.1f GFLOP/s on %d threads (%.1f on one), below "
                    + "%.0f per thread, the least any CPU with %d-lane vectors gives: it ran as unvectorised code; no fractions of it",
                    gflops, threads, oneThread, floor, lanes));
        } else {
            m.put("gflops", gflops);
            m.put("gflops_one_thread", oneThread);
        }
        m.put("cpu", cpu);
        return m;
    }

    private static double medianOf(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return median(s);
    }

    // ---- memory ------------------------------------------------------------------------------

    /** Heap bytes allocated so far by all live threads, or a negative number where the JVM does not count them. */
    static long allocatedBytesAllThreads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx && mx.isThreadAllocatedMemorySupported()) {
            long sum = 0;
            for (long a : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
                sum += Math.max(0, a);
            }
            return sum;
        }
        return -1;
    }

    // ---- load ---------------------------------------------------------------------------------

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    // ---- data and output ---------------------------------------------------------------------

    private static Tensor randomImages(SplittableRandom r, int n, int[] shape) {
        int item = shape[0] * shape[1] * shape[2];
        return new Tensor(randomArray(r, n * item), n, shape[0], shape[1], shape[2]);
    }

    private static float[] randomArray(SplittableRandom r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) r.nextDouble();
        }
        return v;
    }

    private static Tensor randomOneHot(SplittableRandom r, int n, int classes) {
        float[] v = new float[n * classes];
        for (int i = 0; i < n; i++) {
            v[i * classes + r.nextInt(classes)] = 1f;
        }
        return new Tensor(v, n, classes);
    }

    /** The block sizes and kernel variant the backend runs with and where they came from (the tuning file, a measurement now, the defaults). */
    private static Map<String, Object> tuning(Gemm gemm, int threads) {
        Map<String, Object> m = new LinkedHashMap<>();
        KernelTuning t = gemm.tuning();
        m.put("gemm_rows", t.gemmRows());
        m.put("gemm_kc", t.gemmKc());
        m.put("gemm_nc", t.gemmNc());
        m.put("winograd_chunk_floats", t.winogradChunkFloats());
        m.put("source", "vector".equals(gemm.name()) ? new VectorGemmProvider().tuningSource(threads) : "defaults (backend " + gemm.name() + ")");
        return m;
    }

    private static String percent(Map<String, Object> row, String key) {
        return row.get(key) instanceof Double d ? String.format(Locale.ROOT, " (%4.0f%%)", 100 * d) : "        ";
    }

    @SuppressWarnings("unchecked")
    private static void printHuman(Map<String, Object> res) {
        System.out.printf(Locale.ROOT, "cnn4j bench: %s %s batch %d, %d threads, backend %s (%s)%n", res.get("workload"),
                Arrays.toString((int[]) res.get("input_shape")), (Integer) res.get("batch"), (Integer) res.get("threads"),
                res.get("backend"), res.get("java"));
        System.out.printf(Locale.ROOT, "forward: %.1f MFLOP per image (direct convolution; GFLOP/s below count these)%n",
                (Double) res.get("forward_flops_per_image") / 1e6);
        System.out.printf(Locale.ROOT, "conv:   %s%n", res.get("conv_algorithms"));
        Map<String, Object> tuning = (Map<String, Object>) res.get("kernel_tuning");
        System.out.printf(Locale.ROOT, "tuning: GEMM %s-row kernel, kc %s, nc %s, Winograd chunk %s floats (%s)%n", tuning.get("gemm_rows"),
                tuning.get("gemm_kc"), tuning.get("gemm_nc"), tuning.get("winograd_chunk_floats"), tuning.get("source"));
        for (String what : List.of("train", "infer")) {
            Map<String, Object> m = (Map<String, Object>) res.get(what);
            if (m != null) {
                System.out.printf(Locale.ROOT, "%-6s images/s median %.1f  max %.1f   ms/batch min %.1f median %.1f   GFLOP/s median %.1f"
                                + "   allocated %.1f KB/batch%n",
                        what, m.get("images_per_s_median"), m.get("images_per_s_max"), m.get("ms_per_batch_min"),
                        m.get("ms_per_batch_median"), m.get("gflops_at_median"), (Double) m.get("allocated_bytes_per_batch") / 1024);
            }
        }
        Map<String, Object> g = (Map<String, Object>) res.get("gemm");
        System.out.printf(Locale.ROOT, "sgemm  %s on the model's forward products: %.1f GFLOP/s%n", g.get("backend"),
                g.get("gflops_forward_products"));
        for (Map<String, Object> row : (List<Map<String, Object>>) g.get("products")) {
            System.out.printf(Locale.ROOT, "         %-12s %6d x %4d x %5d  %6.1f GFLOP/s%n", row.get("layer"), row.get("m"), row.get("n"),
                    row.get("k"), row.get("gflops"));
        }
        for (Map<String, Object> row : (List<Map<String, Object>>) res.get("conv_error")) {
            System.out.printf(Locale.ROOT, "error  %-12s vs double: im2col %.2e  winograd %.2e (relative max)%n", row.get("layer"),
                    row.get("im2col_relative_max_error"), row.get("winograd_relative_max_error"));
        }
        Map<String, Object> lat = (Map<String, Object>) res.get("latency_batch1");
        if (lat != null) {
            System.out.printf(Locale.ROOT, "latency batch 1, %d calls: p50 %.2f ms  p99 %.2f ms  mean %.2f ms  max %.2f ms%n", lat.get("calls"),
                    lat.get("p50_ms"), lat.get("p99_ms"), lat.get("mean_ms"), lat.get("max_ms"));
        }
        Map<String, Object> peak = (Map<String, Object>) res.get("fma_peak");
        if (peak != null && peak.containsKey("implausible")) {
            System.out.println("peak   FMA (Java Vector API loop): " + peak.get("implausible"));
        } else if (peak != null && peak.containsKey("lanes")) {
            System.out.printf(Locale.ROOT, "peak   FMA (Java Vector API loop) %.1f GFLOP/s on %d threads (%.1f on one), %d-lane vectors, %s%n", peak.get("gflops"),
                    peak.get("threads"), peak.get("gflops_one_thread"), peak.get("lanes"), peak.get("cpu"));
        }
        List<Map<String, Object>> prof = (List<Map<String, Object>>) res.get("profile");
        if (prof != null) {
            System.out.println("profile (ms per batch, medians; % = direct-convolution FLOPs per second over the FMA peak):");
            double tf = 0, tb = 0, ti = 0;
            for (Map<String, Object> row : prof) {
                double f = (Double) row.get("forward_ms"), b = (Double) row.get("backward_ms"), i = (Double) row.get("infer_forward_ms");
                tf += f;
                tb += b;
                ti += i;
                System.out.printf(Locale.ROOT, "  %-18s %-14s train forward %8.2f%s  backward %8.2f%s  infer forward %8.2f%s%n",
                        row.get("layer"), row.get("type"), f, percent(row, "forward_peak_fraction"), b, percent(row, "backward_peak_fraction"),
                        i, percent(row, "infer_peak_fraction"));
            }
            System.out.printf(Locale.ROOT, "  %-33s train forward %8.2f         backward %8.2f         infer forward %8.2f%n", "total", tf, tb, ti);
        }
        if (res.containsKey("peak_rss_mib_after_train")) {
            System.out.printf(Locale.ROOT, "after training: peak heap %.0f MiB, peak RSS %.0f MiB%n", res.get("peak_heap_mib_after_train"),
                    res.get("peak_rss_mib_after_train"));
        }
        System.out.printf(Locale.ROOT, "whole run: peak heap %.0f MiB, peak RSS %.0f MiB, loadavg %s%n", res.get("peak_heap_mib"),
                res.get("peak_rss_mib"), res.get("loadavg"));
    }
}
