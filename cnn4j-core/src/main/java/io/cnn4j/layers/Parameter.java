package io.cnn4j.layers;

import io.cnn4j.model.MemoryBudget;
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
        long count = MemoryBudget.count(shape);
        int n = MemoryBudget.arrayLength(count, "weight '" + name + "' of shape " + Shapes.toString(shape));
        MemoryBudget.requireHeap(MemoryBudget.mul(8, count), "weight '" + name + "' of shape " + Shapes.toString(shape) + " and its gradient");
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
