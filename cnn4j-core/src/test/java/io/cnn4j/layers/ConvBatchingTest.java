package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.cnn4j.layers.LayerTestHarness.built;
import static io.cnn4j.layers.LayerTestHarness.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A batch large enough that Conv2D must split it into several GEMM groups (or threads): the
 * outputs, the input gradient and the summed weight gradients equal those of the samples taken
 * one at a time.
 */
class ConvBatchingTest {
    @Test
    void largeBatchEqualsSamplesOneByOne() {
        // 9 images of 64×64×16, 3×3 kernel, "same": 4096 pixels × 144 columns = 590k floats of
        // columns per image, so a 4M-float column budget holds fewer than 9 images
        int n = 9, h = 64, w = 64, c = 16, f = 8;
        SplittableRandom r = new SplittableRandom(1);
        Conv2D conv = built(new Conv2D(f, 3, 3).padding("same").strides(1, 1).activation("tanh"), 2, h, w, c);
        Tensor x = uniform(r, -1, 1, n, h, w, c);
        Tensor dy = uniform(r, -1, 1, n, h, w, f);

        Tensor y = conv.forward(x, true).copy();
        conv.parameters().forEach(Parameter::zeroGrad);
        Tensor dx = conv.backward(dy.copy()).copy();
        float[] dk = conv.parameters().get(0).grad().clone();
        float[] db = conv.parameters().get(1).grad().clone();

        int inItem = h * w * c, outItem = h * w * f;
        double[] dkSum = new double[dk.length], dbSum = new double[db.length];
        for (int b = 0; b < n; b++) {
            float[] yb = conv.forward(x.slice(b, 1), true).data();
            for (int i = 0; i < outItem; i++) {
                assertThat(yb[i]).as("sample %d output %d", b, i).isCloseTo(y.data()[b * outItem + i], within(1e-5f));
            }
            conv.parameters().forEach(Parameter::zeroGrad);
            float[] dxb = conv.backward(dy.slice(b, 1)).data();
            for (int i = 0; i < inItem; i += 7) {
                assertThat(dxb[i]).as("sample %d input gradient %d", b, i).isCloseTo(dx.data()[b * inItem + i], within(1e-5f));
            }
            float[] g = conv.parameters().get(0).grad();
            for (int i = 0; i < g.length; i++) {
                dkSum[i] += g[i];
            }
            float[] gb = conv.parameters().get(1).grad();
            for (int i = 0; i < gb.length; i++) {
                dbSum[i] += gb[i];
            }
        }
        for (int i = 0; i < dk.length; i++) {
            assertThat((double) dk[i]).as("kernel gradient %d", i).isCloseTo(dkSum[i], within(1e-3 * (1 + Math.abs(dkSum[i]))));
        }
        for (int i = 0; i < db.length; i++) {
            assertThat((double) db[i]).as("bias gradient %d", i).isCloseTo(dbSum[i], within(1e-3 * (1 + Math.abs(dbSum[i]))));
        }
    }
}
