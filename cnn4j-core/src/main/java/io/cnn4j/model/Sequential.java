package io.cnn4j.model;

import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.layers.AbstractLayer;
import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.kernels.Parallel;
import io.cnn4j.layers.BuildContext;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.Parameter;
import io.cnn4j.layers.Stochastic;
import io.cnn4j.losses.Loss;
import io.cnn4j.optim.Optimizer;
import io.cnn4j.random.Seeds;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras' {@code Sequential}: a stack of layers with compile / fit / evaluate / predict / summary.
 *
 * <p>Randomness comes only from the model's seed, split by role (see {@link Seeds}): the j-th
 * layer with weights is initialised from ("init", j), the s-th stochastic layer draws its masks in
 * epoch e from ("mask", s, e), and epoch e's data order from ("shuffle", e). So two models that
 * differ only in where a dropout layer sits start from the same weights and see the same batches,
 * and a run resumed at an epoch boundary continues exactly as an uninterrupted one.
 */
public final class Sequential {
    private final String name;
    private final List<Layer> layers = new ArrayList<>();
    private long seed;
    private Gemm gemm;
    private int threads;
    private boolean built;
    private int[] inputShape;
    private Optimizer optimizer;
    private Loss loss;
    private final List<String> metrics = new ArrayList<>();
    private List<Parameter> parameters = List.of();
    private List<Parameter> weights = List.of();
    private Tensor lossGrad;
    private int[] predictionShape;
    private boolean stopTraining;

    public Sequential() {
        this("sequential", 0L);
    }

    public Sequential(long seed) {
        this("sequential", seed);
    }

    public Sequential(String name, long seed) {
        this.name = name;
        this.seed = seed;
    }

    public String name() {
        return name;
    }

    public long seed() {
        return seed;
    }

    /** Sets the run's seed; only before the model is built (weights are drawn at build). */
    public Sequential seed(long s) {
        if (built) {
            throw new IllegalStateException("set the seed before the model is built");
        }
        this.seed = s;
        return this;
    }

    /** Uses this GEMM backend instead of the one {@link Backends#select()} picks; only before build. */
    public Sequential gemm(Gemm g) {
        if (built) {
            throw new IllegalStateException("set the GEMM backend before the model is built");
        }
        this.gemm = g;
        return this;
    }

    public Gemm gemm() {
        return gemm;
    }

    public Sequential add(Layer layer) {
        if (built) {
            throw new IllegalStateException("cannot add layer " + layer + " after the model was built");
        }
        if (layer.isBuilt()) {
            throw new IllegalArgumentException("layer " + layer + " is already built (part of another model?)");
        }
        if (!layers.isEmpty() && layer.declaredInputShape() != null) {
            // Keras ignores input_shape on later layers; a mismatch is caught at build
        }
        layers.add(layer);
        return this;
    }

    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    public boolean isBuilt() {
        return built;
    }

    /** Builds with the first layer's declared input shape. */
    public void build() {
        if (built) {
            return;
        }
        if (layers.isEmpty()) {
            throw new IllegalStateException("the model has no layers");
        }
        int[] in = layers.get(0).declaredInputShape();
        if (in == null) {
            throw new IllegalStateException("the first layer (" + layers.get(0) + ") needs inputShape(...) (Keras' input_shape), "
                    + "or call build(inputShape)");
        }
        build(in);
    }

    /** Builds for inputs of shape {@code in} (without the batch axis), e.g. (28, 28, 1). */
    public void build(int... in) {
        if (built) {
            if (!Arrays.equals(in, inputShape)) {
                throw new IllegalStateException("model already built for input " + Shapes.withBatch(inputShape));
            }
            return;
        }
        if (layers.isEmpty()) {
            throw new IllegalStateException("the model has no layers");
        }
        if (gemm == null) {
            gemm = Backends.select();
        }
        threads = Backends.threads();
        Map<String, Integer> counters = new HashMap<>();
        for (Layer l : layers) {
            if (l.name().equals(l.getClass().getSimpleName())) {
                String base = snake(l.getClass().getSimpleName());
                int k = counters.merge(base, 1, Integer::sum) - 1;
                l.setName(k == 0 ? base : base + "_" + k);
            }
        }
        int[] shape = in.clone();
        int weighted = 0;
        int stochastic = 0;
        List<Parameter> params = new ArrayList<>();
        List<Parameter> all = new ArrayList<>();
        // one set of worker threads for all layers: hand-overs between layers find them spinning
        Parallel workers = new Parallel(BuildContext.loopThreads(threads, gemm));
        ConvAlgorithm conv = ConvAlgorithm.requested();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            SplittableRandom r;
            if (l instanceof Stochastic) {
                r = Seeds.random(seed, "mask", stochastic++);
            } else {
                // every non-stochastic layer gets the ordinal among weighted layers it would have
                r = Seeds.random(seed, "init", weighted);
            }
            if (l instanceof AbstractLayer<?> a) {
                a.setComputeInputGradient(i > 0);
            }
            try {
                l.build(shape, new BuildContext(r, gemm, threads, conv, workers));
            } catch (MemoryBudget.InsufficientMemoryException e) {
                throw e; // names the layer and the numbers already
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot build layer " + i + " " + l + ": " + e.getMessage(), e);
            }
            if (!l.parameters().isEmpty()) {
                weighted++;
            }
            params.addAll(l.parameters());
            all.addAll(l.weights());
            shape = l.outputShape();
        }
        // BatchNormalization followed by a plain ReLU: one pass over the activations instead of two
        for (int i = 0; i + 1 < layers.size(); i++) {
            if (layers.get(i) instanceof io.cnn4j.layers.BatchNormalization bn) {
                bn.fuseRelu(layers.get(i + 1));
            }
        }
        this.parameters = List.copyOf(params);
        this.weights = List.copyOf(all);
        this.inputShape = in.clone();
        this.built = true;
        checkMemory(1, false, "build");
    }

    /**
     * Bytes a built model needs for batches of {@code batch}: weights and gradients, the
     * optimizer's state (once compiled), and every layer's per-sample buffers times the batch, in
     * saturating long arithmetic. A lower bound of the real use, used to refuse runs that cannot fit.
     *
     * @param batch    samples per batch
     * @param training whether for training (forward and backward) or inference
     * @return estimated bytes, Long.MAX_VALUE when it overflows
     */
    public long memoryEstimate(int batch, boolean training) {
        requireBuilt();
        long params = 0;
        for (Parameter p : parameters) {
            params = MemoryBudget.add(params, p.size());
        }
        long arraysPerParam = 2 + (optimizer != null ? optimizer.stateArraysPerParameter() : 0);
        long floats = MemoryBudget.mul(params, arraysPerParam);
        for (Layer l : layers) {
            floats = MemoryBudget.add(floats, MemoryBudget.mul(batch, l.bufferFloatsPerSample(training)));
        }
        return MemoryBudget.mul(4, floats);
    }

    /**
     * Refuses, with the numbers, a batch size whose buffers cannot fit one Java array or this JVM's heap.
     *
     * @param batch    samples per batch
     * @param training whether for training or inference
     * @param where    the operation, for the message (e.g. "fit")
     */
    public void checkMemory(int batch, boolean training, String where) {
        requireBuilt();
        for (Layer l : layers) {
            MemoryBudget.arrayLength(MemoryBudget.mul(batch, MemoryBudget.count(l.outputShape())),
                    where + ": layer '" + l.name() + "' output for a batch of " + batch);
        }
        long params = parameterCount();
        String what = String.format(Locale.ROOT, "%s: %,d parameters (weights, gradients%s) and the buffers of batches of %d",
                where, params, optimizer == null || optimizer.stateArraysPerParameter() == 0 ? ""
                        : " and " + optimizer.name() + "'s " + optimizer.stateArraysPerParameter() + " state arrays", batch);
        MemoryBudget.requireHeap(memoryEstimate(batch, training), what);
    }

    static String snake(String className) {
        // Conv2D -> conv2d, MaxPooling2D -> max_pooling2d, SpatialDropout2D -> spatial_dropout2d
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < className.length(); i++) {
            char c = className.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean prevLower = i > 0 && Character.isLowerCase(className.charAt(i - 1));
                if (prevLower) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    public int[] inputShape() {
        requireBuilt();
        return inputShape.clone();
    }

    public int[] outputShape() {
        requireBuilt();
        return layers.get(layers.size() - 1).outputShape();
    }

    public List<Parameter> parameters() {
        requireBuilt();
        return parameters;
    }

    /**
     * Every weight in Keras' order (per layer, trainable then non-trainable): what is saved and
     * restored. {@link #parameters()} is the trainable part, which the optimizer updates.
     */
    public List<Parameter> weights() {
        requireBuilt();
        return weights;
    }

    /** The number of weights, trainable or not (Keras' {@code count_params()}). */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : weights()) {
            n += p.size();
        }
        return n;
    }

    /** The number of trainable weights. */
    public long trainableParameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.size();
        }
        return n;
    }

    /**
     * The sum of every layer's weight penalties (kernel_regularizer, bias_regularizer), which fit,
     * trainOnBatch and evaluate add to the loss they report, as Keras adds {@code model.losses}.
     */
    public double regularizationLoss() {
        double penalty = 0;
        for (int i = 0; i < layers.size(); i++) {
            penalty += layers.get(i).regularizationLoss();
        }
        return penalty;
    }

    /** Copies of every weight, trainable or not, in {@link #weights()} order (Keras' {@code get_weights()}). */
    public List<float[]> getWeights() {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : weights()) {
            out.add(p.value().clone());
        }
        return out;
    }

    /** Sets every weight from arrays in {@link #weights()} order (Keras' {@code set_weights}); sizes are checked first. */
    public void setWeights(List<float[]> values) {
        List<Parameter> w = weights();
        if (values.size() != w.size()) {
            throw new IllegalArgumentException("setWeights: the model has " + w.size() + " weight arrays, got " + values.size());
        }
        for (int i = 0; i < w.size(); i++) {
            if (values.get(i).length != w.get(i).size()) {
                throw new IllegalArgumentException("setWeights: weight '" + w.get(i).name() + "' has " + w.get(i).size()
                        + " values, got " + values.get(i).length);
            }
        }
        for (int i = 0; i < w.size(); i++) {
            System.arraycopy(values.get(i), 0, w.get(i).value(), 0, values.get(i).length);
        }
    }

    /** compile(optimizer, "categorical_crossentropy", "accuracy"). */
    public Sequential compile(Optimizer optimizer, String loss, String... metrics) {
        return compile(optimizer, Loss.parse(loss), metrics);
    }

    public Sequential compile(Optimizer optimizer, Loss loss, String... metrics) {
        for (String m : metrics) {
            if (!m.equalsIgnoreCase("accuracy") && !m.equalsIgnoreCase("acc")) {
                throw new IllegalArgumentException("unknown metric '" + m + "'; supported: accuracy");
            }
        }
        this.optimizer = optimizer;
        this.loss = loss;
        this.metrics.clear();
        if (metrics.length > 0) {
            this.metrics.add("accuracy");
        }
        build();
        // the optimizer's state arrays are allocated at the first step: check they fit now
        checkMemory(1, true, "compile");
        return this;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Loss loss() {
        return loss;
    }

    public List<String> metrics() {
        return List.copyOf(metrics);
    }

    /** Asks a running fit to stop after the current epoch (for callbacks such as early stopping). */
    public void stopTraining() {
        this.stopTraining = true;
    }

    /** fit(x, y, batch_size, epochs) with Keras' other defaults. */
    public History fit(Tensor x, Tensor y, int batchSize, int epochs) {
        return fit(x, y, FitOptions.defaults().batchSize(batchSize).epochs(epochs));
    }

    public History fit(Tensor x, Tensor y, FitOptions options) {
        requireCompiled();
        checkData(x, y, "fit");
        int n = x.dim(0);
        Tensor trainX = x, trainY = y, valX = options.validationX(), valY = options.validationY();
        if (valX != null) {
            checkData(valX, valY, "fit (validation data)");
        } else if (options.validationSplit() > 0) {
            // Keras takes the LAST fraction of the data, before any shuffling
            int nVal = (int) (n * options.validationSplit());
            if (nVal == 0 || nVal == n) {
                throw new IllegalArgumentException("validation split " + options.validationSplit() + " of " + n
                        + " samples leaves an empty training or validation set");
            }
            trainX = x.slice(0, n - nVal);
            trainY = y.slice(0, n - nVal);
            valX = x.slice(n - nVal, nVal);
            valY = y.slice(n - nVal, nVal);
            n -= nVal;
        }
        int batch = Math.min(options.batchSize(), n);
        int steps = (n + batch - 1) / batch;
        checkMemory(batch, true, "fit");
        List<Callback> callbacks = new ArrayList<>();
        if (options.verbose() > 0) {
            callbacks.add(new ProgressPrinter(System.out, options.verbose(), System.console() != null));
        }
        callbacks.addAll(options.callbacks());
        History history = new History();
        stopTraining = false;
        for (Callback c : callbacks) {
            c.onTrainBegin(this, options.epochs(), steps);
        }
        int[] order = new int[n];
        Tensor xb = null, yb = null, xLast = null, yLast = null;
        boolean accuracy = metrics.contains("accuracy");
        epochs:
        for (int epoch = options.initialEpoch(); epoch < options.epochs() && !stopTraining; epoch++) {
            long t0 = System.nanoTime();
            for (Callback c : callbacks) {
                c.onEpochBegin(epoch);
            }
            epochOrder(order, seed, epoch, options.shuffle());
            reseedMasks(epoch);
            BatchAugmentation augmentation = options.augmentation();
            SplittableRandom augmentRandom = augmentation == null ? null : Seeds.random(seed, "augment", epoch);
            double lossSum = 0;
            long correct = 0;
            for (int s = 0; s < steps; s++) {
                int from = s * batch;
                int count = Math.min(batch, n - from);
                Tensor bx, by;
                if (count == batch) {
                    xb = batchBuffer(xb, trainX, count);
                    yb = batchBuffer(yb, trainY, count);
                    bx = xb;
                    by = yb;
                } else {
                    xLast = batchBuffer(xLast, trainX, count);
                    yLast = batchBuffer(yLast, trainY, count);
                    bx = xLast;
                    by = yLast;
                }
                trainX.gatherInto(order, from, count, bx);
                trainY.gatherInto(order, from, count, by);
                if (augmentation != null) {
                    augmentation.augment(bx, augmentRandom);
                }
                Tensor pred = forward(bx, true);
                double l = loss.compute(pred, by) + regularizationLoss();
                if (!Double.isFinite(l)) {
                    boolean handled = false;
                    for (Callback c : callbacks) {
                        handled |= c.onNonFiniteLoss(epoch, s, l);
                    }
                    if (handled) {
                        stopTraining = true;
                        break epochs;
                    }
                    throw new NonFiniteLossException(String.format(Locale.ROOT,
                            "loss is %s at epoch %d, batch %d (samples %d..%d of the shuffled epoch); training stopped before "
                                    + "this batch's update, the model keeps the weights of the previous step. "
                                    + "Lower the learning rate or check the data for NaN/infinite values",
                            l, epoch + 1, s + 1, from, from + count - 1), epoch, s);
                }
                if (accuracy) {
                    for (int i = 0; i < count; i++) {
                        if (loss.correct(pred, by, i)) {
                            correct++;
                        }
                    }
                }
                backward(pred, by);
                optimizer.step(parameters);
                lossSum += l * count;
                int seen = from + count;
                // indexed: no iterator per batch
                for (int c = 0; c < callbacks.size(); c++) {
                    callbacks.get(c).onBatchEnd(s, lossSum / seen, accuracy ? (double) correct / seen : Double.NaN);
                }
            }
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", lossSum / n);
            if (accuracy) {
                logs.put("accuracy", (double) correct / n);
            }
            if (valX != null) {
                Map<String, Double> v = evaluate(valX, valY, batch);
                v.forEach((k, val) -> logs.put("val_" + k, val));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            history.record(epoch, logs, secs);
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
     * One training step on one batch (forward, backward, update); returns the batch loss. It is
     * exactly {@link #computeGradients} followed by {@link #applyGradients}: one code path, so that
     * a trainer which sums gradients from elsewhere (cnn4j-spark) before the update stays identical
     * to this method when there is only one piece.
     */
    public double trainOnBatch(Tensor x, Tensor y) {
        double l = gradients(x, y, "trainOnBatch", null);
        applyGradients();
        return l;
    }

    /**
     * Forward pass (training mode, so dropout is on), loss and backward pass on one batch, without an
     * update: afterwards each {@link Parameter#grad()} holds dLoss/dw of the batch's mean loss, and
     * the weights are unchanged. Returns the batch loss. Because the loss is a mean, the gradient of a
     * batch of B split into shards of b_i samples is the sum of each shard's gradient times b_i / B.
     *
     * @throws NonFiniteLossException when the loss is NaN or infinite (the gradients are then not computed)
     */
    public double computeGradients(Tensor x, Tensor y) {
        return gradients(x, y, "computeGradients", null);
    }

    /**
     * {@link #computeGradients(Tensor, Tensor)} that also counts, into {@code correct[0]}, the samples
     * this forward pass predicts right (the accuracy metric as fit counts it: on the training-mode
     * predictions, before the update).
     */
    public double computeGradients(Tensor x, Tensor y, int[] correct) {
        return gradients(x, y, "computeGradients", correct);
    }

    /** One optimizer step from the gradients now in each {@link Parameter#grad()} (e.g. from {@link #computeGradients}). */
    public void applyGradients() {
        requireCompiled();
        optimizer.step(parameters);
    }

    private double gradients(Tensor x, Tensor y, String where, int[] correct) {
        requireCompiled();
        checkData(x, y, where);
        Tensor pred = forward(x, true);
        double l = loss.compute(pred, y) + regularizationLoss();
        if (!Double.isFinite(l)) {
            throw new NonFiniteLossException("loss is " + l + " in " + where + "; no update was made", -1, -1);
        }
        if (correct != null) {
            // before backward: the prediction tensor belongs to the last layer, which may reuse it
            int c = 0;
            for (int i = 0, n = x.dim(0); i < n; i++) {
                if (loss.correct(pred, y, i)) {
                    c++;
                }
            }
            correct[0] = c;
        }
        backward(pred, y);
        return l;
    }

    /** Reseeds every stochastic layer for {@code epoch} (fit does this at each epoch start). */
    public void reseedMasks(long epoch) {
        int s = 0;
        for (Layer l : layers) {
            if (l instanceof Stochastic st) {
                long ls = st.seed() != null ? Seeds.derive(st.seed(), "mask", epoch) : Seeds.derive(seed, "mask", s, epoch);
                st.reseed(ls);
                s++;
            }
        }
    }

    /** {@code t} when it already holds {@code count} items of {@code like}'s item shape, else a new such tensor. */
    private static Tensor batchBuffer(Tensor t, Tensor like, int count) {
        if (t != null && t.dim(0) == count) {
            return t;
        }
        int[] s = like.shape();
        s[0] = count;
        return Tensor.zeros(s);
    }

    /**
     * The order in which {@code fit} visits the samples in an epoch: 0..n−1, Fisher–Yates shuffled
     * with the model seed's stream for that epoch when {@code shuffle}. Batches are consecutive runs
     * of it. Anything that must see fit's batches (a resumed run, distributed training) takes them
     * from here.
     */
    public static void epochOrder(int[] order, long seed, int epoch, boolean shuffle) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            shuffle(order, Seeds.random(seed, "shuffle", epoch));
        }
    }

    private static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** The forward pass through all layers; the result belongs to the last layer (copy it to keep it). */
    public Tensor forward(Tensor x, boolean training) {
        requireBuilt();
        Tensor h = x;
        // indexed loops here and in backward: these run per batch, and an iterator is an allocation
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            // inference: a convolution and the 2×2 max pool after it in one pass where it can (same bits)
            if (!training && layer instanceof Conv2D conv && i + 1 < layers.size() && layers.get(i + 1) instanceof MaxPooling2D pool) {
                Tensor pooled = conv.forwardMaxPooled(h, pool);
                if (pooled != null) {
                    h = pooled;
                    i++;
                    continue;
                }
            }
            h = layer.forward(h, training);
        }
        return h;
    }

    private void backward(Tensor pred, Tensor y) {
        for (int i = 0; i < parameters.size(); i++) {
            parameters.get(i).zeroGrad();
        }
        if (lossGrad == null || !lossGrad.sameShape(pred)) {
            lossGrad = Tensor.zeros(pred.shape());
        }
        Layer last = layers.get(layers.size() - 1);
        Tensor g;
        if (last.endsWithSoftmax() && loss.gradientThroughSoftmax(pred, y, lossGrad)) {
            g = last.backwardFromLogits(lossGrad);
        } else {
            loss.gradient(pred, y, lossGrad);
            g = last.backward(lossGrad);
        }
        for (int i = layers.size() - 2; i >= 0; i--) {
            g = layers.get(i).backward(g);
        }
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).addRegularizationGradients();
        }
    }

    /** Keras' evaluate: the mean loss and metrics over all samples, as {loss, accuracy}. */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
        requireCompiled();
        checkBatchSize(batchSize, "evaluate");
        checkData(x, y, "evaluate");
        checkMemory(Math.min(batchSize, Math.max(1, x.dim(0))), false, "evaluate");
        requireFinite(x, "evaluate");
        int n = x.dim(0);
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            Tensor bx = x.slice(from, count);
            Tensor by = y.slice(from, count);
            Tensor pred = forward(bx, false);
            lossSum += loss.compute(pred, by) * count;
            for (int i = 0; i < count; i++) {
                if (loss.correct(pred, by, i)) {
                    correct++;
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", lossSum / n + regularizationLoss());
        if (metrics.contains("accuracy")) {
            out.put("accuracy", (double) correct / n);
        }
        return out;
    }

    public Map<String, Double> evaluate(Tensor x, Tensor y) {
        return evaluate(x, y, 32);
    }

    /** Inference (dropout off) in batches of 32. */
    public Tensor predict(Tensor x) {
        return predictBatched(x, 32, false);
    }

    public Tensor predict(Tensor x, int batchSize) {
        return predictBatched(x, batchSize, false);
    }

    private static void checkBatchSize(int batchSize, String where) {
        if (batchSize < 1) {
            throw new IllegalArgumentException(where + ": batch size must be ≥ 1, got " + batchSize);
        }
    }

    private Tensor predictBatched(Tensor x, int batchSize, boolean training) {
        checkBatchSize(batchSize, "predict");
        checkInputs(x, "predict");
        checkMemory(Math.min(batchSize, Math.max(1, x.dim(0))), false, "predict");
        requireFinite(x, "predict");
        int n = x.dim(0);
        Tensor out = Tensor.zeros(Shapes.prepend(n, outputShape()));
        int item = out.itemSize();
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            Tensor pred = forward(x.slice(from, count), training);
            System.arraycopy(pred.data(), 0, out.data(), from * item, count * item);
        }
        return out;
    }

    /**
     * Monte Carlo dropout (Gal &amp; Ghahramani 2016): {@code mcSamples} forward passes with dropout
     * on, giving the mean and (population) standard deviation of each output. Masks come from the model's seed
     * (stream "mc"), so the result is reproducible.
     */
    public McPrediction predict(Tensor x, int batchSize, int mcSamples) {
        if (mcSamples < 1) {
            throw new IllegalArgumentException("mcSamples must be ≥ 1, got " + mcSamples);
        }
        checkInputs(x, "predict");
        int size = Math.toIntExact(x.dim(0) * Shapes.size(outputShape()));
        // Welford's running mean and sum of squared deviations: E[p²] − E[p]² would cancel
        // catastrophically and report a spread of ~1e-9 for samples that are all identical
        double[] runningMean = new double[size];
        double[] m2 = new double[size];
        for (int s = 0; s < mcSamples; s++) {
            reseedMasks(Seeds.derive(seed, "mc", s));
            float[] p = predictBatched(x, batchSize, true).data();
            for (int i = 0; i < size; i++) {
                double delta = p[i] - runningMean[i];
                runningMean[i] += delta / (s + 1);
                m2[i] += delta * (p[i] - runningMean[i]);
            }
        }
        float[] mean = new float[size];
        float[] std = new float[size];
        for (int i = 0; i < size; i++) {
            mean[i] = (float) runningMean[i];
            std[i] = (float) Math.sqrt(m2[i] / mcSamples);
        }
        int[] shape = Shapes.prepend(x.dim(0), outputShape());
        return new McPrediction(new Tensor(mean, shape), new Tensor(std, shape), mcSamples);
    }

    /** Non-finite inputs give NaN outputs and a NaN loss without any error: refuse them up front, saying where. */
    private static void requireFinite(Tensor x, String where) {
        float[] d = x.data();
        for (int i = 0, n = x.size(); i < n; i++) {
            if (!Float.isFinite(d[i])) {
                int item = x.itemSize();
                throw new IllegalArgumentException(where + ": input sample " + (i / item) + " holds " + d[i] + " (value " + (i % item)
                        + " of " + item + "); check the data for NaN or infinite values");
            }
        }
    }

    private void checkInputs(Tensor x, String where) {
        build();
        if (!x.hasItemShape(inputShape)) {
            throw new IllegalArgumentException(where + ": the model expects inputs of shape " + Shapes.withBatch(inputShape)
                    + " but got " + Shapes.toString(x.shape()));
        }
    }

    private void checkData(Tensor x, Tensor y, String where) {
        checkInputs(x, where);
        if (y == null) {
            throw new IllegalArgumentException(where + ": targets are missing");
        }
        if (y.dim(0) != x.dim(0)) {
            throw new IllegalArgumentException(where + ": x has " + x.dim(0) + " samples but y has " + y.dim(0));
        }
        loss.checkTargets(y, predictionShape(x.dim(0)));
    }

    /**
     * The prediction shape for a batch of n, kept while n stays the same: trainOnBatch checks its
     * targets against it at every step, which should not build a new array each time. Losses only
     * read it.
     */
    private int[] predictionShape(int n) {
        if (predictionShape == null || predictionShape[0] != n) {
            predictionShape = Shapes.prepend(n, outputShape());
        }
        return predictionShape;
    }

    private void requireBuilt() {
        if (!built) {
            build();
        }
    }

    private void requireCompiled() {
        if (optimizer == null || loss == null) {
            throw new IllegalStateException("call compile(optimizer, loss) before fit/evaluate");
        }
    }

    /**
     * Saves the model — architecture, weights, compile settings, optimizer state — to one file, written
     * atomically (Keras' {@code model.save}). The format is io.cnn4j.io.ModelFiles' (docs/model-format.md).
     */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        ModelStore.provider().save(this, file);
    }

    /** Loads a model written by {@link #save}, checking magic, version, sizes and checksum (Keras' {@code load_model}). */
    public static Sequential load(java.nio.file.Path file) throws java.io.IOException {
        return ModelStore.provider().load(file);
    }

    /**
     * Keras' model.summary() as text. Columns are Keras' widths (a 65-character table) and widen
     * to fit a longer name, shape or count, so that the columns stay aligned.
     */
    public String summary() {
        requireBuilt();
        String[] names = new String[layers.size()];
        String[] shapes = new String[layers.size()];
        String[] counts = new String[layers.size()];
        int nameWidth = 27, shapeWidth = 25, countWidth = 10;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            names[i] = l.name() + " (" + l.className() + ")";
            shapes[i] = Shapes.withBatch(l.outputShape());
            counts[i] = Long.toString(l.parameterCount());
            nameWidth = Math.max(nameWidth, names[i].length());
            shapeWidth = Math.max(shapeWidth, shapes[i].length());
            countWidth = Math.max(countWidth, counts[i].length());
        }
        int width = 1 + nameWidth + 1 + shapeWidth + 1 + countWidth;
        String row = " %-" + nameWidth + "s %-" + shapeWidth + "s %-" + countWidth + "s%n";
        StringBuilder sb = new StringBuilder();
        String line = "_".repeat(width) + "\n";
        String dline = "=".repeat(width) + "\n";
        sb.append("Model: \"").append(name).append("\"\n").append(line);
        sb.append(String.format(Locale.ROOT, row, "Layer (type)", "Output Shape", "Param #"));
        sb.append(dline);
        for (int i = 0; i < layers.size(); i++) {
            sb.append(String.format(Locale.ROOT, row, names[i], shapes[i], counts[i]));
            sb.append(i + 1 < layers.size() ? "\n" : "");
        }
        sb.append(dline);
        long total = parameterCount();
        long trainable = trainableParameterCount();
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", total));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable)).append(line);
        return sb.toString();
    }

    public void printSummary(PrintStream out) {
        out.print(summary());
    }

    public void printSummary() {
        printSummary(System.out);
    }
}
