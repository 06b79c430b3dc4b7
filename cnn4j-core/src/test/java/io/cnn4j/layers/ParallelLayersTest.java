package io.cnn4j.layers;

import io.cnn4j.kernels.Gemm;
import io.cnn4j.kernels.ScalarGemm;
import io.cnn4j.kernels.VectorGemm;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The multithreaded Conv2D and MaxPooling2D paths: they match direct (naive) formulas, and with the
 * same GEMM they give bit-identical results at any thread count.
 */
class ParallelLayersTest {

    static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return t;
    }

    static Conv2D conv(int filters, int k, int stride, String padding, String act, int[] in, Gemm gemm, int threads) {
        Conv2D c = new Conv2D(filters, k, k).strides(stride, stride).padding(padding).activation(act);
        c.build(in, new BuildContext(new SplittableRandom(5), gemm, threads));
        // non-zero biases so the fused bias path is exercised
        float[] b = c.parameters().get(1).value();
        for (int i = 0; i < b.length; i++) {
            b[i] = 0.1f * (i % 3) - 0.1f;
        }
        return c;
    }

    @ParameterizedTest
    // 256 channels: k = 2304, so an image's 42 output pixels take two chunks in the cache-blocked path
    @CsvSource({"3,1,valid,relu,3", "3,2,same,relu,2", "2,1,same,linear,4", "3,1,valid,tanh,1", "3,1,valid,relu,256"})
    void conv2dMatchesDirectConvolutionAndIsThreadCountInvariant(int k, int stride, String padding, String act, int channels) {
        int[] in = {9, 8, channels};
        int n = 5, filters = 4;
        Tensor x = random(1, n, in[0], in[1], in[2]);
        Conv2D serial = conv(filters, k, stride, padding, act, in, new ScalarGemm(), 1);
        Conv2D threaded = conv(filters, k, stride, padding, act, in, new ScalarGemm(), 3);
        float[] y1 = serial.forward(x, true).data().clone();
        float[] y3 = threaded.forward(x, true).data().clone();
        assertThat(y3).containsExactly(y1);

        // direct convolution, TensorFlow padding
        float[] w = serial.parameters().get(0).value(), b = serial.parameters().get(1).value();
        int[] out = serial.outputShape();
        int padTop = Math.max((out[0] - 1) * stride + k - in[0], 0) / 2, padLeft = Math.max((out[1] - 1) * stride + k - in[1], 0) / 2;
        if (padding.equals("valid")) {
            padTop = padLeft = 0;
        }
        ActivationFunction f = ActivationFunction.parse(act);
        for (int s = 0; s < n; s++) {
            for (int oh = 0; oh < out[0]; oh++) {
                for (int ow = 0; ow < out[1]; ow++) {
                    for (int fo = 0; fo < filters; fo++) {
                        double z = b[fo];
                        for (int dy = 0; dy < k; dy++) {
                            for (int dx = 0; dx < k; dx++) {
                                int ih = oh * stride - padTop + dy, iw = ow * stride - padLeft + dx;
                                if (ih < 0 || iw < 0 || ih >= in[0] || iw >= in[1]) {
                                    continue;
                                }
                                for (int c = 0; c < channels; c++) {
                                    z += x.get(s, ih, iw, c) * w[((dy * k + dx) * channels + c) * filters + fo];
                                }
                            }
                        }
                        float[] zz = {(float) z};
                        f.apply(zz, 0, 1, 1);
                        int idx = ((s * out[0] + oh) * out[1] + ow) * filters + fo;
                        assertThat(y1[idx]).isCloseTo(zz[0], org.assertj.core.data.Offset.offset(1e-4f));
                    }
                }
            }
        }

        Tensor dy = random(2, n, out[0], out[1], out[2]);
        float[] dx1 = serial.backward(dy.copy()).data().clone();
        float[] dx3 = threaded.backward(dy.copy()).data().clone();
        assertThat(dx3).containsExactly(dx1);
        // the kernel gradient is summed per worker, then over workers: equal up to rounding across thread counts
        float[] dw1 = serial.parameters().get(0).grad(), dw3 = threaded.parameters().get(0).grad();
        for (int i = 0; i < dw1.length; i++) {
            assertThat(dw3[i]).isCloseTo(dw1[i], org.assertj.core.data.Offset.offset(1e-4f * Math.max(1f, Math.abs(dw1[i]))));
        }
        float[] db1 = serial.parameters().get(1).grad(), db3 = threaded.parameters().get(1).grad();
        for (int i = 0; i < db1.length; i++) {
            assertThat(db3[i]).isCloseTo(db1[i], org.assertj.core.data.Offset.offset(1e-4f * Math.max(1f, Math.abs(db1[i]))));
        }
        // kernel gradient by the direct formula: dW[dy, dx, c, f] = Σ x[s, ih, iw, c] · dz[s, oh, ow, f]
        float[] yOut = serial.forward(x, true).data();
        float[] dzDirect = new float[yOut.length];
        f.backward(yOut, dy.data(), dzDirect, 0, yOut.length, filters);
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                for (int c = 0; c < channels; c += Math.max(1, channels / 4)) {
                    for (int fo = 0; fo < filters; fo++) {
                        double sum = 0;
                        for (int s = 0; s < n; s++) {
                            for (int oh = 0; oh < out[0]; oh++) {
                                for (int ow = 0; ow < out[1]; ow++) {
                                    int ih = oh * stride - padTop + ky, iw = ow * stride - padLeft + kx;
                                    if (ih >= 0 && iw >= 0 && ih < in[0] && iw < in[1]) {
                                        sum += x.get(s, ih, iw, c) * dzDirect[((s * out[0] + oh) * out[1] + ow) * filters + fo];
                                    }
                                }
                            }
                        }
                        assertThat(dw1[((ky * k + kx) * channels + c) * filters + fo]).as("dW[%d,%d,%d,%d]", ky, kx, c, fo)
                                .isCloseTo((float) sum, org.assertj.core.data.Offset.offset(1e-3f));
                    }
                }
            }
        }
        // bias gradient = Σ over N, OH, OW of dz, dz = dy · f'(y)
        float[] y = serial.forward(x, true).data();
        float[] dz = new float[y.length];
        f.backward(y, dy.data(), dz, 0, y.length, filters);
        for (int fo = 0; fo < filters; fo++) {
            double sum = 0;
            for (int i = fo; i < dz.length; i += filters) {
                sum += dz[i];
            }
            assertThat(serial.parameters().get(1).grad()[fo]).isCloseTo((float) sum, org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @ParameterizedTest
    @CsvSource({"2,2,valid", "3,2,same", "2,1,valid", "3,3,same"})
    void maxPoolingMatchesDirectMaxWithTiesAndThreads(int pool, int stride, String padding) {
        int[] in = {7, 6, 3};
        int n = 4;
        Tensor x = random(3, n, in[0], in[1], in[2]);
        float[] d = x.data();
        for (int i = 0; i < d.length; i += 5) {
            d[i] = 0.5f; // ties: the first cell in window order must win
        }
        for (int i = 3; i < d.length; i += 17) {
            d[i] = Float.NaN; // a NaN first in its window wins; a later NaN never does (as TensorFlow's v > best)
        }
        MaxPooling2D p1 = new MaxPooling2D(pool, pool).strides(stride, stride).padding(padding);
        MaxPooling2D p3 = new MaxPooling2D(pool, pool).strides(stride, stride).padding(padding);
        p1.build(in, new BuildContext(new SplittableRandom(1), new ScalarGemm(), 1));
        p3.build(in, new BuildContext(new SplittableRandom(1), new ScalarGemm(), 3));
        float[] y = p1.forward(x, true).data().clone();
        assertThat(p3.forward(x, true).data()).containsExactly(y);
        int[] out = p1.outputShape();
        int padTop = padding.equals("same") ? Math.max((out[0] - 1) * stride + pool - in[0], 0) / 2 : 0;
        int padLeft = padding.equals("same") ? Math.max((out[1] - 1) * stride + pool - in[1], 0) / 2 : 0;
        Tensor dy = random(4, n, out[0], out[1], out[2]);
        float[] expectedDx = new float[x.size()];
        for (int s = 0; s < n; s++) {
            for (int oh = 0; oh < out[0]; oh++) {
                for (int ow = 0; ow < out[1]; ow++) {
                    for (int c = 0; c < in[2]; c++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int h = Math.max(0, oh * stride - padTop); h < Math.min(in[0], oh * stride - padTop + pool); h++) {
                            for (int w = Math.max(0, ow * stride - padLeft); w < Math.min(in[1], ow * stride - padLeft + pool); w++) {
                                int idx = ((s * in[0] + h) * in[1] + w) * in[2] + c;
                                if (at < 0 || d[idx] > best) {
                                    best = d[idx];
                                    at = idx;
                                }
                            }
                        }
                        int o = ((s * out[0] + oh) * out[1] + ow) * in[2] + c;
                        assertThat(Float.floatToRawIntBits(y[o])).as("y[%d] = %s, expected %s", o, y[o], best)
                                .isEqualTo(Float.floatToRawIntBits(best));
                        expectedDx[at] += dy.data()[o];
                    }
                }
            }
        }
        assertThat(p1.backward(dy.copy()).data()).containsExactly(expectedDx);
        assertThat(p3.backward(dy.copy()).data()).containsExactly(expectedDx);
    }

    @ParameterizedTest
    @CsvSource({"1", "2"})
    void vggShapedConvAgreesBetweenVectorAndScalarGemm(int threads) {
        int[] in = {12, 12, 8};
        Tensor x = random(9, 3, 12, 12, 8);
        Conv2D ref = conv(16, 3, 1, "valid", "relu", in, new ScalarGemm(), threads);
        Conv2D vec = conv(16, 3, 1, "valid", "relu", in, new VectorGemm(threads), threads);
        float[] a = ref.forward(x, true).data(), b = vec.forward(x, true).data();
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }
}
