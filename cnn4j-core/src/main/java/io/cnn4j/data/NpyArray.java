package io.cnn4j.data;

import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * A NumPy array read from or written to a {@code .npy} file: its dtype, C-order shape and values; no Keras counterpart (NumPy's {@code ndarray}).
 * Exactly one of the value arrays is set, according to {@link #dtype()}.
 */
public final class NpyArray {
    /** The dtypes we read and write (little-endian where it matters). */
    public enum DType {
        FLOAT32("<f4", 4), UINT8("|u1", 1), INT64("<i8", 8);

        private final String descr;
        private final int bytes;

        DType(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        /** NumPy's {@code descr}, e.g. "&lt;f4". */
        public String descr() {
            return descr;
        }

        public int itemBytes() {
            return bytes;
        }
    }

    private final DType dtype;
    private final int[] shape;
    private final float[] floats;
    private final byte[] bytes;
    private final long[] longs;

    private NpyArray(DType dtype, int[] shape, float[] f, byte[] b, long[] l) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.floats = f;
        this.bytes = b;
        this.longs = l;
        long n = Shapes.size(shape);
        int len = f != null ? f.length : b != null ? b.length : l.length;
        if (n != len) {
            throw new IllegalArgumentException("shape " + Shapes.toString(shape) + " needs " + n + " values but got " + len);
        }
    }

    public static NpyArray ofFloats(float[] values, int... shape) {
        return new NpyArray(DType.FLOAT32, shape, values, null, null);
    }

    public static NpyArray ofBytes(byte[] values, int... shape) {
        return new NpyArray(DType.UINT8, shape, null, values, null);
    }

    public static NpyArray ofLongs(long[] values, int... shape) {
        return new NpyArray(DType.INT64, shape, null, null, values);
    }

    public static NpyArray of(Tensor t) {
        return ofFloats(t.data(), t.shape());
    }

    /** Integer labels as int64, the dtype NumPy gives {@code np.array([1, 2])} on 64-bit platforms. */
    public static NpyArray ofLabels(int[] labels) {
        long[] l = new long[labels.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels[i];
        }
        return ofLongs(l, labels.length);
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return floats != null ? floats.length : bytes != null ? bytes.length : longs.length;
    }

    /** The float32 values; only for dtype FLOAT32. */
    public float[] floats() {
        require(DType.FLOAT32);
        return floats;
    }

    /** The uint8 values (as Java's signed bytes; mask with 0xFF); only for dtype UINT8. */
    public byte[] bytes() {
        require(DType.UINT8);
        return bytes;
    }

    /** The int64 values; only for dtype INT64. */
    public long[] longs() {
        require(DType.INT64);
        return longs;
    }

    private void require(DType d) {
        if (dtype != d) {
            throw new IllegalStateException("array has dtype " + dtype + " (" + dtype.descr + "), not " + d);
        }
    }

    /** The values as a float tensor of the same shape: float32 as is, uint8 and int64 converted (not scaled). */
    public Tensor toTensor() {
        float[] f = new float[size()];
        switch (dtype) {
            case FLOAT32 -> System.arraycopy(floats, 0, f, 0, f.length);
            case UINT8 -> {
                for (int i = 0; i < f.length; i++) {
                    f[i] = bytes[i] & 0xFF;
                }
            }
            case INT64 -> {
                for (int i = 0; i < f.length; i++) {
                    f[i] = longs[i];
                }
            }
        }
        return new Tensor(f, shape);
    }

    /** The value at a flat index as a double, whatever the dtype. */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> floats[i];
            case UINT8 -> bytes[i] & 0xFF;
            case INT64 -> longs[i];
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && dtype == a.dtype && Arrays.equals(shape, a.shape) && Arrays.equals(floats, a.floats)
                && Arrays.equals(bytes, a.bytes) && Arrays.equals(longs, a.longs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + dtype.hashCode();
    }

    @Override
    public String toString() {
        return "NpyArray(" + dtype.descr + ", " + Shapes.toString(shape) + ")";
    }
}
