package io.cnn4j.model;

import io.cnn4j.layers.AbstractLayer;
import io.cnn4j.layers.BuildContext;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.Parameter;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static io.cnn4j.model.ModelTestData.randomOneHot;
import static io.cnn4j.model.ModelTestData.snapshot;
import static io.cnn4j.model.ModelTestData.uniform;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reproducible randomness: the same seed gives bit-identical weights after training (same JVM, so
 * the same thread count); another seed differs; models that differ only in where a dropout sits
 * share initial weights and batch order.
 */
class DeterminismTest {
    private static final int N = 40;
    private static FixedThreads threads;

    @BeforeAll
    static void fixThreads() {
        threads = FixedThreads.set(2);
    }

    @AfterAll
    static void restoreThreads() {
        threads.restore();
    }

    /** Records the sample ids (first pixel × 1000) of every training batch it sees; otherwise the identity. */
    static final class BatchRecorder extends AbstractLayer<BatchRecorder> {
        record Config() implements LayerConfig {
            public String className() {
                return "BatchRecorder";
            }

            public io.cnn4j.layers.Layer newLayer() {
                return new BatchRecorder();
            }
        }

        final List<List<Integer>> batches = new ArrayList<>();

        @Override
        protected int[] doBuild(int[] inputShape, BuildContext context) {
            return inputShape.clone();
        }

        @Override
        public Tensor forward(Tensor x, boolean training) {
            if (training) {
                List<Integer> ids = new ArrayList<>();
                for (int i = 0; i < x.dim(0); i++) {
                    ids.add(Math.round(x.data()[i * x.itemSize()] * 1000));
                }
                batches.add(ids);
            }
            return x;
        }

        @Override
        public Tensor backward(Tensor gradOut) {
            return gradOut;
        }

        @Override
        public LayerConfig config() {
            return new Config();
        }
    }

    private static Tensor idsAsFirstPixel(Tensor x) {
        for (int i = 0; i < x.dim(0); i++) {
            x.data()[i * x.itemSize()] = i / 1000f;
        }
        return x;
    }

    /** conv → [dropout?] → pool → [dropout?] → conv → flatten → dense, with the dropout placed by {@code where}. */
    private static Sequential placed(long seed, String where, BatchRecorder recorder) {
        Sequential model = new Sequential(seed);
        model.add(recorder.inputShape(10, 10, 1));
        model.add(new Conv2D(4, 3, 3).activation("relu"));
        if (where.equals("before")) {
            model.add(new Dropout(0.3));
        } else if (where.equals("spatial-before")) {
            model.add(new SpatialDropout2D(0.3));
        }
        model.add(new MaxPooling2D());
        if (where.equals("after")) {
            model.add(new Dropout(0.3));
        }
        model.add(new Conv2D(6, 2, 2).activation("relu"));
        model.add(new Flatten());
        model.add(new Dense(3, "softmax"));
        model.compile(new SGD(0.05, 0.9, true, 1e-3), "categorical_crossentropy", "accuracy");
        return model;
    }

    private static List<float[]> trainedWeights(Supplier<Sequential> factory, int epochs) {
        Sequential model = factory.get();
        Tensor x = idsAsFirstPixel(uniform(1, N, 10, 10, 1));
        model.fit(x, randomOneHot(2, N, 3), FitOptions.defaults().batchSize(8).epochs(epochs).verbose(0));
        return snapshot(model);
    }

    private static boolean same(List<float[]> a, List<float[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void sameSeedSameWeightsBitForBitOtherSeedDiffers() {
        List<float[]> a = trainedWeights(() -> placed(42, "after", new BatchRecorder()), 2);
        List<float[]> b = trainedWeights(() -> placed(42, "after", new BatchRecorder()), 2);
        assertThat(same(a, b)).as("same seed, same weights after two epochs").isTrue();
        List<float[]> c = trainedWeights(() -> placed(43, "after", new BatchRecorder()), 2);
        assertThat(same(a, c)).as("another seed, other weights").isFalse();
        // and the initial weights already differ between seeds, per layer
        Sequential s42 = placed(42, "after", new BatchRecorder()), s43 = placed(43, "after", new BatchRecorder());
        for (int i = 0; i < s42.parameters().size(); i += 2) { // kernels (biases start at zero)
            assertThat(s42.parameters().get(i).value()).isNotEqualTo(s43.parameters().get(i).value());
        }
    }

    @Test
    void dropoutPlacementDoesNotChangeInitialWeightsOrBatches() {
        String[] placements = {"none", "before", "after", "spatial-before"};
        List<List<float[]>> initial = new ArrayList<>();
        List<List<List<Integer>>> orders = new ArrayList<>();
        for (String where : placements) {
            BatchRecorder recorder = new BatchRecorder();
            Sequential model = placed(7, where, recorder);
            initial.add(snapshot(model));
            List<String> names = new ArrayList<>();
            for (Layer l : model.layers()) {
                for (Parameter p : l.parameters()) {
                    names.add(p.name());
                }
            }
            assertThat(names).as(where).containsExactly("conv2d/kernel", "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias",
                    "dense/kernel", "dense/bias");
            Tensor x = idsAsFirstPixel(uniform(1, N, 10, 10, 1));
            model.fit(x, randomOneHot(2, N, 3), FitOptions.defaults().batchSize(8).epochs(3).verbose(0));
            orders.add(recorder.batches);
        }
        for (int v = 1; v < placements.length; v++) {
            assertThat(same(initial.get(v), initial.get(0))).as("initial weights with dropout '%s'", placements[v]).isTrue();
            assertThat(orders.get(v)).as("batches with dropout '%s'", placements[v]).isEqualTo(orders.get(0));
        }
        // the order is a real shuffle: every sample once per epoch, and epochs differ
        List<List<Integer>> batches = orders.get(0);
        assertThat(batches).hasSize(3 * 5);
        List<Integer> epoch0 = new ArrayList<>(), epoch1 = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            epoch0.addAll(batches.get(b));
            epoch1.addAll(batches.get(5 + b));
        }
        assertThat(epoch0).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, N).boxed().toList());
        assertThat(epoch0).isNotEqualTo(epoch1);
    }

    @Test
    void noShuffleKeepsTheDataOrderAndLastBatchIsSmaller() {
        BatchRecorder recorder = new BatchRecorder();
        Sequential model = placed(7, "none", recorder);
        Tensor x = idsAsFirstPixel(uniform(1, 10, 10, 10, 1));
        model.fit(x, randomOneHot(2, 10, 3), FitOptions.defaults().batchSize(4).epochs(1).shuffle(false).verbose(0));
        assertThat(recorder.batches).containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9));
    }

    @Test
    void resumingAtAnEpochBoundaryMatchesAnUninterruptedRun() {
        Tensor x = idsAsFirstPixel(uniform(1, N, 10, 10, 1));
        Tensor y = randomOneHot(2, N, 3);
        Sequential straight = placed(9, "after", new BatchRecorder());
        straight.fit(x, y, FitOptions.defaults().batchSize(8).epochs(3).verbose(0));
        Sequential resumed = placed(9, "after", new BatchRecorder());
        resumed.fit(x, y, FitOptions.defaults().batchSize(8).epochs(1).verbose(0));
        resumed.fit(x, y, FitOptions.defaults().batchSize(8).epochs(3).initialEpoch(1).verbose(0));
        assertThat(same(snapshot(resumed), snapshot(straight))).isTrue();
    }
}
