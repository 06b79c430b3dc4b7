package io.cnn4j.spark;

import io.cnn4j.data.DataSplits;
import io.cnn4j.data.Datasets;
import io.cnn4j.model.Architectures;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.History;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

import java.util.Locale;
import java.util.Map;

/**
 * One epoch of the simple CNN on the embedded Fashion-MNIST subset (10,000 training, 2,000 test
 * images), trained with {@link SparkTrainer} on {@code local[*]} (or the master given as the first
 * argument), then the same epoch trained locally with {@code fit}, to show that the two agree.
 * The JVM needs Spark's --add-opens flags (see this module's pom).
 */
public final class SparkExample {
    private SparkExample() {
    }

    public static void main(String[] args) throws Exception {
        String master = args.length > 0 ? args[0] : "local[*]";
        DataSplits data = Datasets.embedded();
        FitOptions options = FitOptions.defaults().batchSize(64).epochs(1).verbose(0);
        SparkConf conf = new SparkConf().setMaster(master).setAppName("cnn4j-spark-example")
                .set("spark.ui.enabled", "false");
        if (master.startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            SparkTrainer trainer = new SparkTrainer(sc);
            JavaRDD<Tuple2<float[], float[]>> train = SparkTrainer.parallelize(sc, data.train().x(), data.train().oneHot(),
                    sc.defaultParallelism());
            JavaRDD<Tuple2<float[], float[]>> test = SparkTrainer.parallelize(sc, data.test().x(), data.test().oneHot(),
                    sc.defaultParallelism());

            Sequential model = model(data);
            long t0 = System.nanoTime();
            History h = trainer.fit(model, train, options);
            double sparkSeconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Double> sparkTest = trainer.evaluate(model, test, 256);
            System.out.printf(Locale.ROOT, "Spark (%s, %d partitions): train loss %.4f acc %.4f, test loss %.4f acc %.4f, fit %.1f s%n",
                    master, train.getNumPartitions(), h.get("loss").get(0), h.get("accuracy").get(0),
                    sparkTest.get("loss"), sparkTest.get("accuracy"), sparkSeconds);

            Sequential local = model(data);
            t0 = System.nanoTime();
            History hl = local.fit(data.train().x(), data.train().oneHot(), options);
            double localSeconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Double> localTest = local.evaluate(data.test().x(), data.test().oneHot(), 256);
            System.out.printf(Locale.ROOT, "local fit:                    train loss %.4f acc %.4f, test loss %.4f acc %.4f, fit %.1f s%n",
                    hl.get("loss").get(0), hl.get("accuracy").get(0), localTest.get("loss"), localTest.get("accuracy"), localSeconds);
            System.out.println("(the simple CNN has dropout: its masks on Spark are drawn per partition, so the runs agree "
                    + "statistically, not bit for bit; without dropout layers they differ only by float rounding)");
        }
    }

    private static Sequential model(DataSplits data) {
        Sequential m = Architectures.simpleCnn(data.inputShape(), data.classes(), 42);
        m.compile(new Adam(0.001), "categorical_crossentropy", "accuracy");
        return m;
    }
}
