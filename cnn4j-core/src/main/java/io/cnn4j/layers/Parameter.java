package io.cnn4j.layers;

import io.cnn4j.tensor.Shapes;

/** A trainable array and its gradient, in Keras' shape (e.g. a Conv2D kernel is (kh, kw, C, F)). */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private final float[] value;
    private final float[] grad;

    public Parameter(String name, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        int n = Math.toIntExact(Shapes.size(shape));
        this.value = new float[n];
        this.grad = new float[n];
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return value.length;
    }

    public float[] value() {
        return value;
    }

    public float[] grad() {
        return grad;
    }

    public void zeroGrad() {
        java.util.Arrays.fill(grad, 0f);
    }

    @Override
    public String toString() {
        return name + Shapes.toString(shape);
    }
}
