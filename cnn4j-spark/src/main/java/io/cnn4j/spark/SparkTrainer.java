package io.cnn4j.spark;

import io.cnn4j.io.ModelFiles;
import io.cnn4j.layers.Parameter;
import io.cnn4j.losses.Loss;
import io.cnn4j.model.Callback;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.History;
import io.cnn4j.model.NonFiniteLossException;
import io.cnn4j.model.ProgressPrinter;
import io.cnn4j.model.Sequential;
import io.cnn4j.random.Seeds;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.Tuple3;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Synchronous data-parallel training of a {@link Sequential} on Apache Spark: every step is the
 * step local {@code fit} would make, with the work of the batch spread over the data's partitions.
 *
 * <p>Per step, the driver broadcasts the current weights (floats packed as bytes) and the batch's
 * sample indices; each partition computes, with {@link Sequential#computeGradients}, the mean-loss
 * gradient over the samples of the batch it holds (b_i of the batch's B); the driver adds the shard
 * gradients in partition order, each times b_i / B (the loss is a mean over the batch), and applies
 * the optimizer itself ({@link Sequential#applyGradients}), so optimizer state never leaves the
 * driver. The data never moves: a partition keeps its records in memory for the whole fit.
 *
 * <p>What is exact: batches are the ones local fit draws with the model's seed (same shuffle, same
 * batch boundaries, last batch short); with one partition the run is bit for bit local fit. With P
 * partitions the gradient is the same sum in another association, so weights differ from local only
 * by float rounding, and a run is reproducible bit for bit at a fixed partitioning. Not exact:
 * dropout-like layers draw their masks per (epoch, step, partition) from the model's seed, not from
 * local fit's per-epoch stream, so models with stochastic layers are deterministic at a fixed
 * partitioning but do not replay local fit. Executors must pick the same GEMM backend (the default,
 * or {@code -Dcnn4j.gemm}) for the same bits as the driver's local run.
 *
 * <p>The model travels as cnn4j's own model file ({@link ModelFiles#encode}), broadcast once per
 * fit; records are {@code (image, target)} pairs of float arrays, image in the model's input layout
 * (H·W·C), target as the loss expects it (one-hot for categorical cross-entropy).
 */
public final class SparkTrainer {
    private final JavaSparkContext sc;

    public SparkTrainer(JavaSparkContext sc) {
        this.sc = sc;
    }

    /** (image, target) records from local tensors, {@code x} (N, ...) and {@code y} (N, ...), in order, in {@code partitions} slices. */
    public static JavaRDD<Tuple2<float[], float[]>> parallelize(JavaSparkContext sc, Tensor x, Tensor y, int partitions) {
        if (x.dim(0) != y.dim(0)) {
            throw new IllegalArgumentException("x has " + x.dim(0) + " samples but y has " + y.dim(0));
        }
        int n = x.dim(0), ix = x.itemSize(), iy = y.itemSize();
        List<Tuple2<float[], float[]>> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(new Tuple2<>(Arrays.copyOfRange(x.data(), i * ix, (i + 1) * ix),
                    Arrays.copyOfRange(y.data(), i * iy, (i + 1) * iy)));
        }
        return sc.parallelize(records, partitions);
    }

    /**
     * Trains {@code model} (compiled, on the driver) in place on {@code data}, like
     * {@code model.fit(x, y, options)} on the same records in the same order. Supported options:
     * batch size, epochs, initial epoch, shuffle, verbose, callbacks (epoch and batch events; a
     * callback's stopTraining is not seen), validation data (evaluated locally on the driver).
     * Validation split and augmentation are refused.
     */
    public History fit(Sequential model, JavaRDD<Tuple2<float[], float[]>> data, FitOptions options) {
        if (model.optimizer() == null || model.loss() == null) {
            throw new IllegalStateException("call compile(optimizer, loss) before fit");
        }
        if (options.validationSplit() > 0) {
            throw new IllegalArgumentException("validationSplit is not supported on Spark (there is no 'last fraction' of an RDD); "
                    + "pass validation data, or split the RDD");
        }
        if (options.augmentation() != null) {
            throw new IllegalArgumentException("augmentation is not supported on Spark yet");
        }
        // Only gradients travel back to the driver: state a layer updates in its forward pass (BN's
        // moving mean and variance) would stay at its initial values there, and inference would
        // silently use them. Refuse rather than return such a model.
        for (io.cnn4j.layers.Layer layer : model.layers()) {
            if (!layer.nonTrainableWeights().isEmpty()) {
                throw new IllegalArgumentException("layer '" + layer.name() + "' (" + layer.getClass().getSimpleName()
                        + ") keeps non-trainable state (e.g. moving statistics) that SparkTrainer does not synchronise; "
                        + "train this model locally with model.fit");
            }
        }
        int[] inShape = model.inputShape();
        int[] outShape = model.outputShape();
        int ix = Math.toIntExact(Shapes.size(inShape));
        int iy = Math.toIntExact(Shapes.size(outShape));
        JavaRDD<Tuple3<Long, float[], float[]>> blocks = blocks(data, ix, iy).persist(StorageLevel.MEMORY_AND_DISK());
        // Cut the lineage once the blocks are cached: otherwise every step's tasks carry their
        // partitions' lineage, and for parallelize()d data that is the records themselves (measured:
        // 5,000 Fashion-MNIST images per task per step, most of a step's time). With a checkpoint
        // directory the cut is reliable; without one it is local (the blocks live in the executors'
        // block managers, and a lost executor fails the fit instead of recomputing them).
        if (sc.getCheckpointDir().isPresent()) {
            blocks.checkpoint();
        } else {
            blocks.rdd().localCheckpoint();
        }
        Broadcast<byte[]> modelBytes = null;
        try {
            // one count job also fills the cache, so that the steps read records from memory
            long total = 0;
            for (Long c : blocks.map(b -> (long) b._2().length / ix).collect()) {
                total += c;
            }
            if (total == 0) {
                throw new IllegalArgumentException("fit: the training data is empty");
            }
            int n = Math.toIntExact(total);
            // the weights in this copy are overwritten at every step; it carries architecture, loss and seed
            modelBytes = sc.broadcast(ModelFiles.encode(model, null, null));
            return loop(model, blocks, modelBytes, n, inShape, outShape, options);
        } finally {
            blocks.unpersist(false);
            if (modelBytes != null) {
                ModelPool.release(modelBytes.id());
                modelBytes.destroy();
            }
        }
    }

    private History loop(Sequential model, JavaRDD<Tuple3<Long, float[], float[]>> blocks, Broadcast<byte[]> modelBytes,
                         int n, int[] inShape, int[] outShape, FitOptions options) {
        int batch = Math.min(options.batchSize(), n);
        int steps = (n + batch - 1) / batch;
        boolean accuracy = model.metrics().contains("accuracy");
        List<Callback> callbacks = new ArrayList<>();
        if (options.verbose() > 0) {
            callbacks.add(new ProgressPrinter(System.out, options.verbose(), System.console() != null));
        }
        callbacks.addAll(options.callbacks());
        for (Callback c : callbacks) {
            c.onTrainBegin(model, options.epochs(), steps);
        }
        History history = new History();
        List<Parameter> params = model.parameters();
        int[] order = new int[n];
        long seed = model.seed();
        for (int epoch = options.initialEpoch(); epoch < options.epochs(); epoch++) {
            long t0 = System.nanoTime();
            for (Callback c : callbacks) {
                c.onEpochBegin(epoch);
            }
            // fit's batches: the same order from the same seed
            Sequential.epochOrder(order, seed, epoch, options.shuffle());
            double lossSum = 0;
            long correct = 0;
            for (int s = 0; s < steps; s++) {
                int from = s * batch;
                int count = Math.min(batch, n - from);
                int[] members = Arrays.copyOfRange(order, from, from + count);
                Broadcast<byte[]> weights = sc.broadcast(pack(params, false));
                List<Tuple2<double[], byte[]>> shards;
                try {
                    long maskSeed = Seeds.derive(seed, "spark-mask", epoch, s);
                    shards = blocks.mapPartitionsWithIndex(
                            shardGradient(modelBytes, weights, members, maskSeed, inShape, outShape), false).collect();
                } finally {
                    weights.destroy();
                }
                double stepLoss = 0;
                boolean first = true;
                // partition order: the sum is the same on every run with this partitioning
                for (Tuple2<double[], byte[]> shard : shards) {
                    int b = (int) shard._1()[0];
                    if (b == 0) {
                        continue;
                    }
                    double l = shard._1()[1];
                    if (!Double.isFinite(l)) {
                        throw new NonFiniteLossException(String.format(Locale.ROOT,
                                "loss is %s at epoch %d, batch %d on Spark; training stopped before this batch's update, "
                                        + "the model keeps the weights of the previous step", l, epoch + 1, s + 1), epoch, s);
                    }
                    // a shard's loss and gradient are means over its b samples; the batch's are over count
                    float scale = (float) b / count;
                    addScaled(shard._2(), scale, params, first);
                    first = false;
                    stepLoss += l * b;
                    correct += (long) shard._1()[2];
                }
                model.applyGradients();
                lossSum += stepLoss;
                int seen = from + count;
                for (Callback c : callbacks) {
                    c.onBatchEnd(s, lossSum / seen, accuracy ? (double) correct / seen : Double.NaN);
                }
            }
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", lossSum / n);
            if (accuracy) {
                logs.put("accuracy", (double) correct / n);
            }
            if (options.validationX() != null) {
                model.evaluate(options.validationX(), options.validationY(), batch).forEach((k, v) -> logs.put("val_" + k, v));
            }
            history.record(epoch, logs, (System.nanoTime() - t0) / 1e9);
            for (Callback c : callbacks) {
                c.onEpochEnd(epoch, logs);
            }
        }
        for (Callback c : callbacks) {
            c.onTrainEnd(history);
        }
        return history;
    }

    /**
     * Keras' evaluate on an RDD: the mean loss and accuracy over all records, equal to
     * {@code model.evaluate(x, y, batchSize)} on the same records in the same order. Batches are
     * formed by global position (one shuffle groups each batch's records), every batch's loss comes
     * back to the driver and is summed in batch order, so the result is local evaluate's bit for bit.
     */
    public Map<String, Double> evaluate(Sequential model, JavaRDD<Tuple2<float[], float[]>> data, int batchSize) {
        if (model.loss() == null) {
            throw new IllegalStateException("call compile(optimizer, loss) before evaluate");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("evaluate: batch size must be ≥ 1, got " + batchSize);
        }
        int[] inShape = model.inputShape();
        int[] outShape = model.outputShape();
        Broadcast<byte[]> modelBytes = sc.broadcast(ModelFiles.encode(model, null, null));
        try {
            long bs = batchSize;
            List<Tuple2<Long, double[]>> batches = data.zipWithIndex()
                    .mapToPair(r -> new Tuple2<>(r._2() / bs, new Tuple2<>(r._2(), r._1())))
                    .groupByKey(Math.max(1, data.getNumPartitions()))
                    .map(g -> evaluateBatch(modelBytes, g._1(), g._2(), inShape, outShape))
                    .collect();
            List<Tuple2<Long, double[]>> sorted = new ArrayList<>(batches);
            sorted.sort((a, b) -> Long.compare(a._1(), b._1()));
            double lossSum = 0;
            long correct = 0, n = 0;
            for (Tuple2<Long, double[]> b : sorted) {
                // the same expression in the same order as Sequential.evaluate
                int count = (int) b._2()[1];
                lossSum += b._2()[0] * count;
                correct += (long) b._2()[2];
                n += count;
            }
            if (n == 0) {
                throw new IllegalArgumentException("evaluate: the data is empty");
            }
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("loss", lossSum / n);
            if (model.metrics().contains("accuracy")) {
                out.put("accuracy", (double) correct / n);
            }
            return out;
        } finally {
            ModelPool.release(modelBytes.id());
            modelBytes.destroy();
        }
    }

    private static Tuple2<Long, double[]> evaluateBatch(Broadcast<byte[]> modelBytes, long batchId,
                                                        Iterable<Tuple2<Long, Tuple2<float[], float[]>>> records,
                                                        int[] inShape, int[] outShape) {
        List<Tuple2<Long, Tuple2<float[], float[]>>> rows = new ArrayList<>();
        records.forEach(rows::add);
        // groupByKey gives no order within a group; the batch must be in global order like local evaluate's slice
        rows.sort((a, b) -> Long.compare(a._1(), b._1()));
        int count = rows.size();
        int ix = Math.toIntExact(Shapes.size(inShape)), iy = Math.toIntExact(Shapes.size(outShape));
        Tensor x = Tensor.zeros(Shapes.prepend(count, inShape));
        Tensor y = Tensor.zeros(Shapes.prepend(count, outShape));
        for (int i = 0; i < count; i++) {
            Tuple2<float[], float[]> r = rows.get(i)._2();
            checkRecord(r, ix, iy, rows.get(i)._1());
            System.arraycopy(r._1(), 0, x.data(), i * ix, ix);
            System.arraycopy(r._2(), 0, y.data(), i * iy, iy);
        }
        Sequential m = ModelPool.borrow(modelBytes);
        try {
            Loss loss = m.loss();
            Tensor pred = m.forward(x, false);
            double l = loss.compute(pred, y);
            int correct = 0;
            for (int i = 0; i < count; i++) {
                if (loss.correct(pred, y, i)) {
                    correct++;
                }
            }
            return new Tuple2<>(batchId, new double[]{l, count, correct});
        } finally {
            ModelPool.giveBack(modelBytes.id(), m);
        }
    }

    /**
     * The task of one step: this partition's share of the batch (the members it holds, in batch
     * order), its summed-as-mean gradient with the broadcast weights, as ({b, loss, correct}, grad).
     */
    private static org.apache.spark.api.java.function.Function2<Integer, Iterator<Tuple3<Long, float[], float[]>>,
            Iterator<Tuple2<double[], byte[]>>> shardGradient(Broadcast<byte[]> modelBytes, Broadcast<byte[]> weights,
                                                                int[] members, long maskSeed, int[] inShape, int[] outShape) {
        return (partition, it) -> {
            int ix = Math.toIntExact(Shapes.size(inShape)), iy = Math.toIntExact(Shapes.size(outShape));
            List<Tuple2<double[], byte[]>> out = new ArrayList<>(1);
            while (it.hasNext()) {
                Tuple3<Long, float[], float[]> block = it.next();
                long start = block._1();
                int held = block._2().length / ix;
                int b = 0;
                for (int idx : members) {
                    if (idx >= start && idx < start + held) {
                        b++;
                    }
                }
                if (b == 0) {
                    out.add(new Tuple2<>(new double[]{0, 0, 0}, null));
                    continue;
                }
                Tensor x = Tensor.zeros(Shapes.prepend(b, inShape));
                Tensor y = Tensor.zeros(Shapes.prepend(b, outShape));
                int k = 0;
                for (int idx : members) {
                    if (idx >= start && idx < start + held) {
                        int local = (int) (idx - start);
                        System.arraycopy(block._2(), local * ix, x.data(), k * ix, ix);
                        System.arraycopy(block._3(), local * iy, y.data(), k * iy, iy);
                        k++;
                    }
                }
                Sequential m = ModelPool.borrow(modelBytes);
                try {
                    setWeights(m.parameters(), weights.value());
                    // masks of dropout-like layers: one stream per (epoch, step, partition), so that a run
                    // does not depend on which executor or thread ran the task
                    m.reseedMasks(Seeds.derive(maskSeed, "partition", partition));
                    int[] correct = new int[1];
                    double l;
                    try {
                        l = m.computeGradients(x, y, correct);
                    } catch (NonFiniteLossException e) {
                        // the driver reports it with the epoch and step, before any update
                        out.add(new Tuple2<>(new double[]{b, Double.NaN, 0}, null));
                        continue;
                    }
                    out.add(new Tuple2<>(new double[]{b, l, correct[0]}, pack(m.parameters(), true)));
                } finally {
                    ModelPool.giveBack(modelBytes.id(), m);
                }
            }
            return out.iterator();
        };
    }

    /**
     * The records as one block per partition: (index of its first record, images, targets), images
     * and targets concatenated. zipWithIndex numbers records partition by partition, so a
     * partition's records are the contiguous range [start, start + count) of the data's order.
     */
    private static JavaRDD<Tuple3<Long, float[], float[]>> blocks(JavaRDD<Tuple2<float[], float[]>> data, int ix, int iy) {
        return data.zipWithIndex().mapPartitions(it -> {
            List<float[]> xs = new ArrayList<>(), ys = new ArrayList<>();
            long start = -1;
            while (it.hasNext()) {
                Tuple2<Tuple2<float[], float[]>, Long> r = it.next();
                if (start < 0) {
                    start = r._2();
                }
                checkRecord(r._1(), ix, iy, r._2());
                xs.add(r._1()._1());
                ys.add(r._1()._2());
            }
            return List.of(new Tuple3<>(Math.max(start, 0), concat(xs, ix), concat(ys, iy))).iterator();
        });
    }

    private static void checkRecord(Tuple2<float[], float[]> r, int ix, int iy, long index) {
        if (r._1() == null || r._1().length != ix || r._2() == null || r._2().length != iy) {
            throw new IllegalArgumentException("record " + index + " has an image of " + (r._1() == null ? "null" : r._1().length)
                    + " values and a target of " + (r._2() == null ? "null" : r._2().length) + "; the model expects " + ix + " and " + iy);
        }
    }

    private static float[] concat(List<float[]> parts, int item) {
        float[] out = new float[parts.size() * item];
        for (int i = 0; i < parts.size(); i++) {
            System.arraycopy(parts.get(i), 0, out, i * item, item);
        }
        return out;
    }

    /*
     * Weights and gradients cross the wire as bytes (little-endian floats), not float[]: Spark's
     * default serializer writes a float[] one value at a time through ObjectOutputStream, and that
     * was measured at over half of a step's time (JFR, SparkExample: readFloats/writeFloats/drain
     * ≈ 900 of 1,736 samples); a byte[] is one bulk copy.
     */
    // the parameters' values (or gradients) -> (Σ sizes) floats as bytes, in parameter order
    static byte[] pack(List<Parameter> params, boolean gradients) {
        byte[] out = new byte[4 * size(params)];
        FloatBuffer f = floats(out);
        for (Parameter p : params) {
            f.put(gradients ? p.grad() : p.value(), 0, p.size());
        }
        return out;
    }

    static FloatBuffer floats(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    static void setWeights(List<Parameter> params, byte[] packed) {
        if (packed.length != 4L * size(params)) {
            throw new IllegalArgumentException(packed.length / 4 + " weights for a model of " + size(params));
        }
        FloatBuffer f = floats(packed);
        for (Parameter p : params) {
            f.get(p.value(), 0, p.size());
        }
    }

    /**
     * grad += g · scale into the driver model's parameters, or grad = g · scale for the first shard: one
     * shard of the whole batch has scale 1 and then gives exactly its gradient, signed zeros included,
     * which keeps a one-partition run bit-identical to local training.
     */
    private static void addScaled(byte[] packed, float scale, List<Parameter> params, boolean first) {
        FloatBuffer g = floats(packed);
        int o = 0;
        for (Parameter p : params) {
            float[] grad = p.grad();
            for (int i = 0; i < grad.length; i++) {
                float v = g.get(o + i) * scale;
                grad[i] = first ? v : grad[i] + v;
            }
            o += grad.length;
        }
    }

    private static int size(List<Parameter> params) {
        long n = 0;
        for (Parameter p : params) {
            n += p.size();
        }
        return Math.toIntExact(n);
    }
}
