package io.cnn4j.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major (C) order; Keras counterpart: the backend tensor (a NumPy array in the Keras examples). Image batches are NHWC: (batch, height, width,
 * channels), as in Keras' default {@code channels_last}.
 *
 * <p>The data array is exposed on purpose: layers and kernels work on it directly so that the hot
 * loop allocates nothing. A tensor returned by a layer's forward pass is owned by that layer and is
 * overwritten by the next call with the same batch size; copy it if you keep it.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    public Tensor(float[] data, int... shape) {
        long size = Shapes.size(shape);
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "data has " + data.length + " values but shape " + Shapes.toString(shape) + " needs " + size);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(int... shape) {
        long size = Shapes.size(shape);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Shapes.toString(shape) + " is too large for one array");
        }
        return new Tensor(new float[(int) size], shape);
    }

    /** A tensor with the same data and a new shape of the same size (no copy). */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Whether this tensor's shape is {@code s}; unlike comparing {@link #shape()}, copies nothing. */
    public boolean hasShape(int[] s) {
        return Arrays.equals(shape, s);
    }

    /** Whether both tensors have the same shape (copies nothing). */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** Whether this tensor is a batch of items of shape {@code itemShape}: rank one more, equal after the first axis. */
    public boolean hasItemShape(int[] itemShape) {
        return shape.length == itemShape.length + 1
                && Arrays.equals(shape, 1, shape.length, itemShape, 0, itemShape.length);
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return data.length;
    }

    public float[] data() {
        return data;
    }

    /** Number of values per item of the first axis. */
    public int itemSize() {
        return shape.length == 0 ? 1 : (shape[0] == 0 ? 0 : data.length / shape[0]);
    }

    /** The shape without the first (batch) axis. */
    public int[] itemShape() {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** A copy of items [from, from + count) along the first axis. */
    public Tensor slice(int from, int count) {
        int item = itemSize();
        int[] s = shape.clone();
        s[0] = count;
        float[] d = new float[count * item];
        System.arraycopy(data, from * item, d, 0, count * item);
        return new Tensor(d, s);
    }

    /** A copy of the items at the given indices of the first axis, in that order. */
    public Tensor gather(int[] indices) {
        return gather(indices, 0, indices.length);
    }

    /** A copy of items indices[from..from+count), in that order. */
    public Tensor gather(int[] indices, int from, int count) {
        int[] s = shape.clone();
        s[0] = count;
        Tensor out = zeros(s);
        gatherInto(indices, from, count, out);
        return out;
    }

    /** Copies items indices[from..from+count) into {@code out} (whose first axis is count). */
    public void gatherInto(int[] indices, int from, int count, Tensor out) {
        int item = itemSize();
        for (int i = 0; i < count; i++) {
            System.arraycopy(data, indices[from + i] * item, out.data, i * item, item);
        }
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    public float get(int... index) {
        return data[offset(index)];
    }

    public void set(float value, int... index) {
        data[offset(index)] = value;
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for tensor of shape " + Shapes.toString(shape));
        }
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape " + Shapes.toString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    @Override
    public String toString() {
        return "Tensor" + Shapes.toString(shape);
    }
}
