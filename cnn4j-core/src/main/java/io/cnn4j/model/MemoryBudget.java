package io.cnn4j.model;

import java.util.Locale;

/**
 * Sizes checked before anything is allocated (no Keras counterpart: Keras lets the allocator fail).
 * Every size that follows from an architecture, a header or an option (weights, optimizer state,
 * activations, workspaces, decoded data) is worked out in saturating long arithmetic and compared
 * with what one Java array can hold and with this JVM's heap ({@link Runtime#maxMemory()}), so that
 * an input that cannot fit is refused with the numbers, never with an OutOfMemoryError, a negative
 * array size or a bare overflowed number.
 */
public final class MemoryBudget {
    /** The longest Java array the JVM reliably allocates. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    private MemoryBudget() {
    }

    /**
     * This JVM's heap limit ({@code -Xmx}).
     *
     * @return bytes
     */
    public static long heapBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * a·b for non-negative a, b, saturating at Long.MAX_VALUE.
     *
     * @param a a size
     * @param b a size
     * @return the product or Long.MAX_VALUE
     */
    public static long mul(long a, long b) {
        if (a < 0 || b < 0) {
            throw new IllegalArgumentException("negative size " + (a < 0 ? a : b));
        }
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }

    /**
     * a + b for non-negative a, b, saturating at Long.MAX_VALUE.
     *
     * @param a a size
     * @param b a size
     * @return the sum or Long.MAX_VALUE
     */
    public static long add(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /**
     * The product of the dimensions, saturating; refuses a negative dimension.
     *
     * @param shape the dimensions
     * @return the number of values
     */
    public static long count(int... shape) {
        long n = 1;
        for (int d : shape) {
            n = mul(n, d);
        }
        return n;
    }

    /**
     * {@code n} as an array length, or an {@link InsufficientMemoryException} saying that
     * {@code what} needs {@code n} values, more than one Java array holds.
     *
     * @param n    the number of elements
     * @param what what the array is for, e.g. "layer 'conv2d' output"
     * @return n as an int
     */
    public static int arrayLength(long n, String what) {
        if (n < 0 || n > MAX_ARRAY) {
            throw new InsufficientMemoryException(String.format(Locale.ROOT,
                    "%s needs %s values, more than one Java array can hold (%,d)", what, n == Long.MAX_VALUE ? "over 9.2e18" : String.format(Locale.ROOT, "%,d", n),
                    MAX_ARRAY));
        }
        return (int) n;
    }

    /**
     * Refuses {@code bytes} that cannot fit this JVM's heap, naming {@code what} and both numbers.
     *
     * @param bytes the bytes needed
     * @param what  what needs them, e.g. "weights, gradients and Adam's state of 40,000,000 parameters"
     */
    public static void requireHeap(long bytes, String what) {
        long heap = heapBytes();
        if (bytes > heap) {
            throw new InsufficientMemoryException(String.format(Locale.ROOT,
                    "%s need %s, more than this JVM's heap (%s); raise it with -Xmx (CNN4J_JAVA_OPTS for ./cnn4j) or make the input smaller",
                    what, describe(bytes), describe(heap)));
        }
    }

    /**
     * A byte count in words: "1,234 MiB" (or "more than 8 EiB" when saturated).
     *
     * @param bytes the count
     * @return the text
     */
    public static String describe(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 8 EiB";
        }
        if (bytes < (1L << 20)) {
            return String.format(Locale.ROOT, "%,d bytes", bytes);
        }
        return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }

    /** A size that cannot be allocated: too many elements for one array, or more bytes than the heap. */
    public static final class InsufficientMemoryException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what needs how much, and the limit
         */
        public InsufficientMemoryException(String message) {
            super(message);
        }
    }
}
