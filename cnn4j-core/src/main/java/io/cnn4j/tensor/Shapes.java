package io.cnn4j.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Helpers for shapes given as int arrays; no Keras counterpart. */
public final class Shapes {
    private Shapes() {
    }

    public static long size(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    /** Keras style: (None, 98, 98, 32) when {@code withBatch}, else (98, 98, 32). */
    public static String toString(int... shape) {
        return "(" + Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "))
                + (shape.length == 1 ? ",)" : ")");
    }

    public static String withBatch(int... itemShape) {
        StringBuilder sb = new StringBuilder("(None");
        for (int d : itemShape) {
            sb.append(", ").append(d);
        }
        return sb.append(')').toString();
    }

    public static int[] prepend(int first, int... rest) {
        int[] s = new int[rest.length + 1];
        s[0] = first;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }
}
