package io.cnn4j.data;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * An n-dimensional array of unsigned bytes in row-major order, as stored in IDX, CIFAR-10 and
 * uint8 NumPy files: pixels 0..255 before any scaling; no Keras counterpart (the uint8 arrays {@code load_data()} returns).
 */
public record UByteArray(int[] shape, byte[] data) {
    public UByteArray {
        shape = shape.clone();
        if (Shapes.size(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Shapes.toString(shape) + " needs " + Shapes.size(shape)
                    + " bytes but got " + data.length);
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int get(int flatIndex) {
        return data[flatIndex] & 0xFF;
    }

    /** The values as floats divided by {@code divisor} (255 scales pixels to [0, 1]), with the given shape. */
    public Tensor toTensor(float divisor, int... newShape) {
        float[] f = new float[data.length];
        float inv = 1f / divisor;
        for (int i = 0; i < f.length; i++) {
            f[i] = (data[i] & 0xFF) * inv;
        }
        return new Tensor(f, newShape.length == 0 ? shape : newShape);
    }

    /**
     * Images (N, H, W) or (N, H, W, C) as an NHWC float tensor scaled to [0, 1] (value / 255):
     * grey-scale images get a channel axis of 1, as Keras' examples do with {@code x[..., None]}.
     */
    public Tensor toImages() {
        if (shape.length == 3) {
            return toTensor(255f, shape[0], shape[1], shape[2], 1);
        }
        if (shape.length == 4) {
            return toTensor(255f, shape);
        }
        throw new IllegalArgumentException("images need shape (N, H, W) or (N, H, W, C), got " + Shapes.toString(shape));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UByteArray u && Arrays.equals(shape, u.shape) && Arrays.equals(data, u.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "UByteArray" + Shapes.toString(shape);
    }
}
