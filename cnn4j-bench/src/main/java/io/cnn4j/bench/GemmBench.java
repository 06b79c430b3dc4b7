package io.cnn4j.bench;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.Gemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * SGEMM per backend on the VGG-like net's products at batch 32 (100×100×3): conv forward
 * (cols · W), weight gradient (colsᵀ · dz) and input gradient (dz · Wᵀ) of the second and fourth
 * convolutions (one image, as Conv2D issues them), and the first dense layer. GFLOP/s = 2·m·n·k / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    /** shape: transA,transB,m,n,k. */
    @Param({
            "0,0,9216,32,288",    // conv2d_1 forward, one 96×96 image
            "1,0,288,32,9216",    // conv2d_1 weight gradient
            "0,1,9216,288,32",    // conv2d_1 input gradient
            "0,0,1936,64,576",    // conv2d_3 forward, one 44×44 image
            "1,0,576,64,1936",    // conv2d_3 weight gradient
            "0,0,32,256,30976",   // dense forward, batch 32
            "1,0,30976,256,32",   // dense weight gradient
            "0,0,1024,1024,1024"  // square, for the backend's peak
    })
    public String shape;

    @Param({"vector", "openblas"})
    public String backend;

    @Param({"2"})
    public int threads;

    private Gemm gemm;
    private boolean transA, transB;
    private int m, n, k;
    private float[] a, b, c;

    @Setup
    public void setUp() {
        String[] s = shape.split(",");
        transA = s[0].equals("1");
        transB = s[1].equals("1");
        m = Integer.parseInt(s[2]);
        n = Integer.parseInt(s[3]);
        k = Integer.parseInt(s[4]);
        gemm = Backends.select(backend, threads);
        if (!gemm.name().equals(backend)) {
            throw new IllegalStateException("backend " + backend + " is not available here (got " + gemm.name() + ")");
        }
        a = Fixtures.randomArray(1, m * k);
        b = Fixtures.randomArray(2, k * n);
        c = new float[m * n];
    }

    @Benchmark
    public float[] sgemm() {
        gemm.sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
        return c;
    }
}
