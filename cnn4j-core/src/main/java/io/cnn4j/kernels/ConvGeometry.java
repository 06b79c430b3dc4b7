package io.cnn4j.kernels;

/**
 * Output size and padding of a 2-D window operation (convolution or pooling) along one axis,
 * with TensorFlow/Keras rules.
 *
 * <ul>
 *   <li>{@code valid}: out = floor((in − k) / s) + 1, no padding.</li>
 *   <li>{@code same}: out = ceil(in / s); total padding max((out − 1)·s + k − in, 0), of which
 *       the smaller half goes before (top/left) and the rest after, as TensorFlow does.</li>
 * </ul>
 */
public record ConvGeometry(int in, int kernel, int stride, int out, int padBefore) {

    public static ConvGeometry of(int in, int kernel, int stride, Padding padding) {
        if (kernel < 1 || stride < 1) {
            throw new IllegalArgumentException("kernel and stride must be ≥ 1, got kernel " + kernel + ", stride " + stride);
        }
        if (padding == Padding.VALID) {
            if (in < kernel) {
                return new ConvGeometry(in, kernel, stride, 0, 0);
            }
            return new ConvGeometry(in, kernel, stride, (in - kernel) / stride + 1, 0);
        }
        int out = (in + stride - 1) / stride;
        int total = Math.max((out - 1) * stride + kernel - in, 0);
        return new ConvGeometry(in, kernel, stride, out, total / 2);
    }
}
