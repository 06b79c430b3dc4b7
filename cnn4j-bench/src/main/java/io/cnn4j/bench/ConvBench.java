package io.cnn4j.bench;

import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.tensor.Tensor;
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
 * Conv2D(3×3, relu) of the VGG-like net at batch 32: forward, backward with both gradients, and
 * backward with the weight gradient only (as for a model's first layer); the input gradient's
 * cost is the difference of the two backward figures. {@code conv} compares im2col + GEMM with
 * Winograd F(2×2, 3×3) (which the layer only takes on with the vector or scalar backend).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    /** input H,W,C and filters: the four convolutions of the VGG-like net on 100×100×3. */
    @Param({"100,100,3,32", "98,98,32,32", "48,48,32,64", "46,46,64,64"})
    public String layer;

    @Param({"vector", "openblas"})
    public String backend;

    @Param({"im2col", "winograd", "direct"})
    public String conv;

    @Param({"32"})
    public int batch;

    @Param({"2"})
    public int threads;

    private Conv2D both;
    private Conv2D weightsOnly;
    private Tensor x;
    private Tensor dy;

    @Setup
    public void setUp() {
        String[] s = layer.split(",");
        int[] in = {Integer.parseInt(s[0]), Integer.parseInt(s[1]), Integer.parseInt(s[2])};
        int filters = Integer.parseInt(s[3]);
        ConvAlgorithm algorithm = ConvAlgorithm.parse(conv);
        both = Fixtures.build(new Conv2D(filters, 3, 3).activation("relu"), in, backend, threads, true, algorithm);
        weightsOnly = Fixtures.build(new Conv2D(filters, 3, 3).activation("relu"), in, backend, threads, false, algorithm);
        x = Fixtures.random(3, batch, in[0], in[1], in[2]);
        int[] out = both.outputShape();
        dy = Fixtures.random(4, batch, out[0], out[1], out[2]);
        both.forward(x, true);
        weightsOnly.forward(x, true);
    }

    @Benchmark
    public Tensor forward() {
        return both.forward(x, true);
    }

    @Benchmark
    public Tensor backwardInputAndWeights() {
        return both.backward(dy);
    }

    @Benchmark
    public Object backwardWeightsOnly() {
        weightsOnly.backward(dy);
        return weightsOnly.parameters().get(0).grad();
    }
}
