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

    boolean isBuilt();

    int[] inputShape();

    int[] outputShape();

    Tensor forward(Tensor x, boolean training);

    Tensor backward(Tensor gradOut);

    List<Parameter> parameters();

    LayerConfig config();

    /** Keras class name, e.g. "Conv2D". */
    default String className() {
        return config().className();
    }

    default long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
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
