package io.cnn4j.hostile;

import io.cnn4j.io.ModelFileException;
import io.cnn4j.io.ModelJson;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.Parameter;
import io.cnn4j.model.MemoryBudget;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import io.cnn4j.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 15, class 1: every size that follows from an architecture (activations, workspaces,
 * weights, optimizer state) is computed in long arithmetic and refused with the numbers before
 * anything is allocated — never an OutOfMemoryError, a negative size or a bare number.
 */
class SizesBoundedTest {
    @TempDir
    Path dir;

    private static Sequential convNet(int h, int w, int c) {
        Sequential m = new Sequential(1);
        m.add(new Conv2D(4, 3, 3).padding("same").activation("relu").inputShape(h, w, c));
        m.add(new MaxPooling2D(2, 2));
        m.add(new Flatten());
        m.add(new Dense(10, "softmax"));
        return m;
    }

    @Test
    void anInputSampleLargerThanAnArrayIsRefusedWithTheNumbers() {
        // 12000 x 12000 x 16 overflowed an int and printed "-1990199232"
        assertThatThrownBy(() -> convNet(12000, 12000, 16).build())
                .isInstanceOf(MemoryBudget.InsufficientMemoryException.class)
                .hasMessageContaining("layer 'conv2d'").hasMessageContaining("(12000, 12000, 16)")
                .hasMessageContaining("2,304,000,000 values").hasMessageContaining("one Java array");
        // 100000 x 100000 x 3 printed "-2652160"
        assertThatThrownBy(() -> convNet(100000, 100000, 3).build())
                .isInstanceOf(MemoryBudget.InsufficientMemoryException.class).hasMessageContaining("30,000,000,000 values");
    }

    @Test
    void workspacesBeyondTheHeapAreRefusedBeforeBuildAllocatesThem() {
        // 8000 x 8000 x 16 with a 3x3 "same" convolution: tiny weights, huge per-thread padded copies
        long padded = 8002L * 8002 * 16;
        assumeTrue(2 * 4 * padded > MemoryBudget.heapBytes(), "this JVM's heap holds the workspaces");
        assertThatThrownBy(() -> convNet(8000, 8000, 16).build())
                .isInstanceOf(MemoryBudget.InsufficientMemoryException.class)
                .hasMessageContaining("workspaces for input (None, 8000, 8000, 16)").hasMessageContaining("MiB")
                .hasMessageContaining("heap").hasMessageContaining("-Xmx");
    }

    @Test
    void aModelJsonWithAHugeInputFailsAtLoadOrBuildNamingTheFile() throws Exception {
        Path f = dir.resolve("big.json");
        Files.writeString(f, """
                {"class_name": "Sequential", "config": {"name": "big", "layers": [
                 {"class_name": "InputLayer", "config": {"batch_shape": [null, 12000, 12000, 16]}},
                 {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": [3, 3], "padding": "same"}},
                 {"class_name": "Flatten", "config": {}},
                 {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}}]}}
                """);
        // the weights are checked at read (Flatten x Dense overflows far past the heap) ...
        assertThatThrownBy(() -> ModelJson.read(f, 0).build())
                .isInstanceOf(ModelFileException.class).hasMessageStartingWith(f.toString()).hasMessageContaining("5760000590 parameters").hasMessageContaining("heap");
    }

    @Test
    void aGzipIdxHeaderDeclaringMoreThanTheHeapIsRefusedBeforeDecompressing() throws Exception {
        // a few bytes of gzip that declare 10000 x 100000 pixels (1e9 bytes, 5e9 as bytes and floats)
        assumeTrue(5_000_000_000L > MemoryBudget.heapBytes(), "this JVM's heap holds the declared data");
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(raw)) {
            java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(12);
            h.put(new byte[]{0, 0, 8, 2}).putInt(10_000).putInt(100_000);
            gz.write(h.array());
            gz.write(new byte[1 << 20]); // a megabyte of zeros: a bomb would continue for a gigabyte
        }
        Path f = dir.resolve("bomb-images-idx3-ubyte.gz");
        Files.write(f, raw.toByteArray());
        assertThatThrownBy(() -> io.cnn4j.data.IdxFiles.read(f)).isInstanceOf(io.cnn4j.data.DataFormatException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining("(10000, 100000)").hasMessageContaining("heap");
    }

    @Test
    void aParameterTooLargeForAnArrayIsRefusedByName() {
        assertThatThrownBy(() -> new Parameter("dense/kernel", 50_000, 50_000))
                .isInstanceOf(MemoryBudget.InsufficientMemoryException.class)
                .hasMessageContaining("weight 'dense/kernel' of shape (50000, 50000)").hasMessageContaining("2,500,000,000 values");
    }

    @Test
    void theEstimateCountsTheOptimizerState() {
        long[] byOptimizer = new long[3];
        List<Object> optimizers = List.of(new SGD(0.01), new SGD(0.01, 0.9, false, 0), new Adam());
        long params = 0;
        for (int i = 0; i < 3; i++) {
            Sequential m = convNet(16, 16, 1);
            m.compile((io.cnn4j.optim.Optimizer) optimizers.get(i), "categorical_crossentropy");
            byOptimizer[i] = m.memoryEstimate(8, true);
            params = m.parameterCount();
        }
        // plain SGD keeps no state, momentum one array per weight, Adam two (m and v)
        assertThat(byOptimizer[1] - byOptimizer[0]).isEqualTo(4 * params);
        assertThat(byOptimizer[2] - byOptimizer[0]).isEqualTo(8 * params);
    }

    @Test
    void aBatchWhoseOutputsOverflowAnArrayIsRefusedBeforeFitOrPredict() {
        Sequential m = convNet(256, 256, 3);
        m.build();
        assertThatThrownBy(() -> m.checkMemory(1_000_000, true, "fit"))
                .isInstanceOf(MemoryBudget.InsufficientMemoryException.class)
                .hasMessageContaining("fit: layer 'conv2d' output for a batch of 1000000");
    }

    @Test
    void adamStateThatCannotFitTheHeapIsRefusedAtCompileInASmallHeap() throws Exception {
        // 19M parameters: weights and gradients (152 MB) fit a 256 MB heap, Adam's two more arrays do not
        ChildJvm.Result r = ChildJvm.run(HeapChild.class, List.of("-Xmx256m", "-XX:+UseG1GC"), "1900");
        assertThat(r.out()).contains("refused: compile").contains("Adam's 2 state arrays").contains("heap");
        assertThat(r.code()).as(r.out()).isZero();
    }
}
