package io.cnn4j.bench;

import io.cnn4j.kernels.Backends;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.model.Architectures;
import io.cnn4j.model.Sequential;
import io.cnn4j.model.Utils;
import io.cnn4j.optim.SGD;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One whole training step, {@link Sequential#trainOnBatch} (forward, loss, backward, SGD with
 * Nesterov momentum as in {@code cnn4j bench}), on a small batch. Run with {@code -prof gc}: its
 * {@code gc.alloc.rate.norm} is the heap allocated per step, which should be about 0 B/op once warm
 * (buffers are reused between steps). Models: {@code fashion} is the VGG-like net on 28×28×1;
 * {@code pool-dense} has every layer of it but the convolutions (pooling, dropout, flatten, dense).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainStepBench {
    @Param({"fashion", "pool-dense"})
    public String model;

    @Param({"vector"})
    public String backend;

    @Param({"8"})
    public int batch;

    @Param({"2"})
    public int threads;

    private Sequential net;
    private Tensor x;
    private Tensor y;

    @Setup
    public void setUp() {
        // layers read their thread count from the model's build context, which reads this property
        System.setProperty(Backends.THREADS_PROPERTY, Integer.toString(threads));
        int[] in = {28, 28, 1};
        int classes = 10;
        net = switch (model) {
            case "fashion" -> Architectures.create("vgg-like", in, classes, 0);
            case "pool-dense" -> poolDense(in, classes);
            default -> throw new IllegalArgumentException("unknown model '" + model + "'");
        };
        net.gemm(Backends.select(backend, threads));
        net.compile(new SGD(0.01, 0.9, true, 1e-6), "categorical_crossentropy");
        x = Fixtures.random(1, batch, in[0], in[1], in[2]);
        SplittableRandom r = new SplittableRandom(2);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = r.nextInt(classes);
        }
        y = Utils.toCategorical(labels, classes);
    }

    private static Sequential poolDense(int[] in, int classes) {
        Sequential m = new Sequential(0);
        m.add(new MaxPooling2D(2, 2).inputShape(in));
        m.add(new Dropout(0.25));
        m.add(new Flatten());
        m.add(new Dense(128, "relu"));
        m.add(new Dropout(0.5));
        m.add(new Dense(classes, "softmax"));
        return m;
    }

    @Benchmark
    public double trainStep() {
        return net.trainOnBatch(x, y);
    }
}
