package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;

import java.util.List;

/**
 * One layer of a {@code Sequential} model; Keras counterpart: {@code keras.layers.Layer}. Shapes exclude the batch axis (as Keras'
 * {@code input_shape}); tensors passed to forward and backward include it.
 *
 * <p>Contract: forward never modifies its input; the tensor it returns belongs to the layer and is
 * overwritten by the next forward with the same batch size. backward is called after a forward
 * with {@code training = true} and returns the gradient with respect to that forward's input,
 * accumulating parameter gradients into {@link Parameter#grad()} (the model zeroes them). The
 * gradient passed to backward is handed over: a layer may overwrite it in place (to keep fewer
 * activation-sized buffers), so a caller must not read it afterwards.
 */
public interface Layer {
    String name();

    /** Sets the name (done by the model when none was given). */
    void setName(String name);

    /** The input shape given by the user on the first layer (Keras' input_shape), or null. */
    int[] declaredInputShape();

    void build(int[] inputShape, BuildContext context);

    /**
     * Floats this layer will allocate when built for {@code inputShape} with {@code threads}
     * threads, beyond its weights and its per-batch outputs (e.g. a convolution's per-thread padded
     * copies of one image), worked out from the configuration without allocating anything, in
     * saturating long arithmetic ({@link io.cnn4j.model.MemoryBudget}). Checked against the heap
     * before {@code build}. A layer whose build allocates nothing input-sized keeps the default 0.
     *
     * @param inputShape the input shape without the batch axis
     * @param threads    the threads the layer may use
     * @return an upper bound of the floats allocated at build, or Long.MAX_VALUE when it overflows
     */
    default long buildWorkspaceFloats(int[] inputShape, int threads) {
        return 0;
    }

    /**
     * Floats this layer holds per sample of a batch once it has run (its output, its input
     * gradient in training, masks, column buffers), for the model's memory check before fit and
     * predict. The default counts the output, and in training also the input gradient and one more
     * output-sized buffer; a layer that keeps more overrides it.
     *
     * @param training whether for a training step (forward and backward) or inference
     * @return floats per sample, saturating at Long.MAX_VALUE
     */
    default long bufferFloatsPerSample(boolean training) {
        return defaultBufferFloatsPerSample(this, training);
    }

    /**
     * The default for {@link #bufferFloatsPerSample}, callable from an override.
     *
     * @param layer    a built layer
     * @param training whether for a training step
     * @return floats per sample
     */
    static long defaultBufferFloatsPerSample(Layer layer, boolean training) {
        long out = io.cnn4j.model.MemoryBudget.count(layer.outputShape());
        long in = io.cnn4j.model.MemoryBudget.count(layer.inputShape());
        return training ? io.cnn4j.model.MemoryBudget.add(io.cnn4j.model.MemoryBudget.mul(2, out), in) : out;
    }

    boolean isBuilt();

    int[] inputShape();

    int[] outputShape();

    Tensor forward(Tensor x, boolean training);

    Tensor backward(Tensor gradOut);

    /** The trainable weights, which the optimizer updates (Keras' {@code trainable_weights}). */
    List<Parameter> parameters();

    /**
     * Weights the optimizer never touches but that are part of the model's state and are saved with
     * it, such as BatchNormalization's moving statistics (Keras' {@code non_trainable_weights}).
     * Their {@link Parameter#grad()} is unused.
     */
    default List<Parameter> nonTrainableWeights() {
        return List.of();
    }

    /** All weights in Keras' order: trainable first, then non-trainable (Keras' {@code layer.weights}). */
    default List<Parameter> weights() {
        List<Parameter> nonTrainable = nonTrainableWeights();
        if (nonTrainable.isEmpty()) {
            return parameters();
        }
        List<Parameter> all = new java.util.ArrayList<>(parameters());
        all.addAll(nonTrainable);
        return all;
    }

    /**
     * The penalty this layer's weight regularizers add to the loss (Keras' {@code layer.losses}),
     * 0 without regularizers. Computed from the current weights.
     */
    default double regularizationLoss() {
        return 0;
    }

    /** Adds the gradient of {@link #regularizationLoss()} to the parameters' gradients (the model calls it after backward). */
    default void addRegularizationGradients() {
    }

    LayerConfig config();

    /** Keras class name, e.g. "Conv2D". */
    default String className() {
        return config().className();
    }

    /** All weights, trainable or not (the "Param #" column of Keras' summary). */
    default long parameterCount() {
        long n = 0;
        for (Parameter p : weights()) {
            n += p.size();
        }
        return n;
    }

    /** True when this layer ends in a softmax, so that cross-entropy can hand it dL/dlogits directly. */
    default boolean endsWithSoftmax() {
        return false;
    }

    /** backward given the gradient with respect to the pre-softmax logits; only when {@link #endsWithSoftmax()}. */
    default Tensor backwardFromLogits(Tensor gradLogits) {
        throw new UnsupportedOperationException(name() + " does not end with softmax");
    }
}
