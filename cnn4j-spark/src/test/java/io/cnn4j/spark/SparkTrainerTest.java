package io.cnn4j.spark;

import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Parameter;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.History;
import io.cnn4j.model.Sequential;
import io.cnn4j.model.Utils;
import io.cnn4j.optim.Adam;
import io.cnn4j.tensor.Tensor;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Spark in local mode with two worker threads. The reference for every check is local training of
 * the same model on the same data: the point of the trainer is that scaling out does not change
 * the result.
 */
class SparkTrainerTest {
    private static final int N = 45; // not a multiple of the batch: the last batch is short
    private static final int BATCH = 8;
    private static final int CLASSES = 3;
    private static JavaSparkContext sc;
    private static Tensor x;
    private static Tensor y;

    @BeforeAll
    static void start() {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("cnn4j-spark-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        sc = new JavaSparkContext(conf);
        // learnable on purpose (class = which third of the image is brightest), so that loss can fall
        SplittableRandom r = new SplittableRandom(5);
        x = Tensor.zeros(N, 8, 8, 1);
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = r.nextInt(CLASSES);
            for (int p = 0; p < 64; p++) {
                int col = p % 8;
                boolean bright = col * CLASSES / 8 == labels[i];
                x.data()[i * 64 + p] = (float) (r.nextDouble() * 0.5 + (bright ? 0.5 : 0));
            }
        }
        y = Utils.toCategorical(labels, CLASSES);
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    private static Sequential model(boolean dropout) {
        Sequential m = new Sequential(11);
        m.add(new Conv2D(4, 3).activation("relu").inputShape(8, 8, 1));
        m.add(new Flatten());
        if (dropout) {
            m.add(new Dropout(0.3));
        }
        m.add(new Dense(CLASSES, "softmax"));
        m.compile(new Adam(0.01), "categorical_crossentropy", "accuracy");
        return m;
    }

    private static FitOptions options(int epochs) {
        return FitOptions.defaults().batchSize(BATCH).epochs(epochs).verbose(0);
    }

    private static History sparkFit(Sequential m, int partitions, int epochs) {
        JavaRDD<Tuple2<float[], float[]>> data = SparkTrainer.parallelize(sc, x, y, partitions);
        assertThat(data.getNumPartitions()).isEqualTo(partitions);
        return new SparkTrainer(sc).fit(m, data, options(epochs));
    }

    @Test
    void onePartitionIsBitIdenticalToLocalFit() {
        Sequential local = model(false), spark = model(false);
        History hl = local.fit(x, y, options(2));
        History hs = sparkFit(spark, 1, 2);
        assertSameWeights(spark, local);
        assertThat(hs.get("loss")).containsExactlyElementsOf(hl.get("loss"));
        assertThat(hs.get("accuracy")).containsExactlyElementsOf(hl.get("accuracy"));
        assertThat(spark.optimizer().iterations()).isEqualTo(local.optimizer().iterations()).isEqualTo(2L * 6);
    }

    @Test
    void moreWorkersOnlyChangeFloatRounding() {
        Sequential local = model(false);
        History hl = local.fit(x, y, options(4));
        for (int p : new int[]{2, 3}) {
            Sequential spark = model(false);
            History hs = sparkFit(spark, p, 4);
            // 24 Adam steps: a wrong shard weighting (b_i / B) or a different batch would be off by far more
            assertThat(maxDifference(spark, local)).as("max |w_spark - w_local| with %d partitions", p).isLessThan(1e-4);
            for (int e = 0; e < 4; e++) {
                assertThat(hs.get("loss").get(e)).isCloseTo(hl.get("loss").get(e), org.assertj.core.data.Offset.offset(1e-5));
            }
            assertThat(hs.get("accuracy")).containsExactlyElementsOf(hl.get("accuracy"));
            // it learns: the last epoch's loss is well below the first's
            assertThat(hs.get("loss").get(3)).isLessThan(hs.get("loss").get(0) * 0.8);
        }
    }

    @Test
    void aFixedPartitioningReproducesBitForBitEvenWithDropout() {
        Sequential a = model(true), b = model(true);
        sparkFit(a, 3, 2);
        sparkFit(b, 3, 2);
        assertSameWeights(a, b);
        // and the masks matter: without them the run differs, so the check above compares real dropout runs
        Sequential c = model(false);
        sparkFit(c, 3, 2);
        assertThat(maxDifference(a, c)).isGreaterThan(1e-4);
    }

    @Test
    void aModelWithMovingStatisticsIsRefusedNotSilentlyLeftStale() {
        Sequential m = new Sequential(11);
        m.add(new Conv2D(4, 3).inputShape(8, 8, 1));
        m.add(new io.cnn4j.layers.BatchNormalization());
        m.add(new Flatten());
        m.add(new Dense(CLASSES, "softmax"));
        m.compile(new Adam(0.01), "categorical_crossentropy", "accuracy");
        JavaRDD<Tuple2<float[], float[]>> data = SparkTrainer.parallelize(sc, x, y, 2);
        assertThatThrownBy(() -> new SparkTrainer(sc).fit(m, data, options(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BatchNormalization")
                .hasMessageContaining("non-trainable state");
    }

    @Test
    void evaluateEqualsLocalEvaluateBitForBit() {
        Sequential m = model(false);
        m.fit(x, y, options(1));
        Map<String, Double> local = m.evaluate(x, y, 7);
        Map<String, Double> spark = new SparkTrainer(sc).evaluate(m, SparkTrainer.parallelize(sc, x, y, 3), 7);
        assertThat(spark).isEqualTo(local);
        assertThat(local.get("accuracy")).isGreaterThan(0);
    }

    @Test
    void refusesWhatItCannotDoTheLocalWay() {
        Sequential m = model(false);
        JavaRDD<Tuple2<float[], float[]>> data = SparkTrainer.parallelize(sc, x, y, 2);
        assertThatThrownBy(() -> new SparkTrainer(sc).fit(m, data, options(1).validationSplit(0.2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("validationSplit");
        JavaRDD<Tuple2<float[], float[]>> bad = sc.parallelize(List.of(new Tuple2<>(new float[63], new float[CLASSES])), 1);
        assertThatThrownBy(() -> new SparkTrainer(sc).fit(m, bad, options(1)))
                .hasStackTraceContaining("record 0 has an image of 63 values");
        // nothing was trained
        assertThat(m.optimizer().iterations()).isZero();
    }

    private static void assertSameWeights(Sequential a, Sequential b) {
        List<Parameter> pa = a.parameters(), pb = b.parameters();
        for (int i = 0; i < pa.size(); i++) {
            assertThat(pa.get(i).value()).as(pa.get(i).name()).containsExactly(pb.get(i).value());
        }
    }

    private static double maxDifference(Sequential a, Sequential b) {
        double max = 0;
        List<Parameter> pa = a.parameters(), pb = b.parameters();
        for (int i = 0; i < pa.size(); i++) {
            for (int j = 0; j < pa.get(i).size(); j++) {
                max = Math.max(max, Math.abs(pa.get(i).value()[j] - pb.get(i).value()[j]));
            }
        }
        return max;
    }
}
