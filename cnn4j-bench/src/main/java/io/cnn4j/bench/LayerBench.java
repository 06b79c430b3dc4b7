package io.cnn4j.bench;

import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.MaxPooling2D;
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
 * The other layers of the VGG-like net at batch 32: 2×2 max pooling and Dropout(0.25) on the first
 * block's 96×96×32 map, and Dense(256, relu) on the flattened 22×22×64 features.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LayerBench {
    @Param({"32"})
    public int batch;

    @Param({"vector"})
    public String backend;

    @Param({"2"})
    public int threads;

    private MaxPooling2D pool;
    private Dropout dropout;
    private Dense dense;
    private Tensor map;
    private Tensor pooledGrad;
    private Tensor features;
    private Tensor denseGrad;

    @Setup
    public void setUp() {
        int[] mapShape = {96, 96, 32};
        pool = Fixtures.build(new MaxPooling2D(2, 2), mapShape, backend, threads, true);
        dropout = Fixtures.build(new Dropout(0.25), mapShape, backend, threads, true);
        dropout.reseed(7);
        dense = Fixtures.build(new Dense(256, "relu"), new int[]{22 * 22 * 64}, backend, threads, true);
        map = Fixtures.random(1, batch, 96, 96, 32);
        pooledGrad = Fixtures.random(2, batch, 48, 48, 32);
        features = Fixtures.random(3, batch, 22 * 22 * 64);
        denseGrad = Fixtures.random(4, batch, 256);
        pool.forward(map, true);
        dropout.forward(map, true);
        dense.forward(features, true);
    }

    @Benchmark
    public Tensor maxPoolForward() {
        return pool.forward(map, true);
    }

    @Benchmark
    public Tensor maxPoolBackward() {
        return pool.backward(pooledGrad);
    }

    @Benchmark
    public Tensor dropoutForward() {
        return dropout.forward(map, true);
    }

    @Benchmark
    public Tensor dropoutBackward() {
        return dropout.backward(map);
    }

    @Benchmark
    public Tensor denseForward() {
        return dense.forward(features, true);
    }

    @Benchmark
    public Tensor denseBackward() {
        return dense.backward(denseGrad);
    }
}
