package io.cnn4j.layers;

import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static io.cnn4j.layers.LayerTestHarness.built;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Small forward (and a few backward) examples worked out by hand; the arithmetic is in the
 * comments. Weights are written in Keras' layout: a Conv2D kernel is (kh, kw, C, F) row-major.
 */
class HandComputedForwardTest {
    private static final float TOL = 1e-5f;

    /** x = [[1,2,3],[4,5,6],[7,8,9]] as a (1, 3, 3, 1) batch. */
    private static Tensor oneToNine() {
        return new Tensor(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
    }

    /** x = [[1,-2,3],[-4,5,-6],[7,-8,9]] as a (1, 3, 3, 1) batch. */
    private static Tensor signed() {
        return new Tensor(new float[]{1, -2, 3, -4, 5, -6, 7, -8, 9}, 1, 3, 3, 1);
    }

    private static void set(Layer layer, int param, float... values) {
        float[] v = layer.parameters().get(param).value();
        assertThat(v).hasSize(values.length);
        System.arraycopy(values, 0, v, 0, values.length);
    }

    private static void assertValues(Tensor t, int[] shape, float... expected) {
        assertThat(t.shape()).containsExactly(shape);
        assertThat(t.data()).containsExactly(expected, within(TOL));
    }

    // ------------------------------------------------------------------ Conv2D

    @Test
    void conv2x2ValidOn3x3() {
        // kernel [[1,2],[3,4]], bias 0.5:
        // (0,0) 1·1+2·2+4·3+5·4 = 37; (0,1) 2+6+15+24 = 47; (1,0) 4+10+21+32 = 67; (1,1) 5+12+24+36 = 77
        Conv2D conv = built(new Conv2D(1, 2, 2), 1, 3, 3, 1);
        set(conv, 0, 1, 2, 3, 4);
        set(conv, 1, 0.5f);
        assertValues(conv.forward(oneToNine(), false), new int[]{1, 2, 2, 1}, 37.5f, 47.5f, 67.5f, 77.5f);
    }

    @Test
    void conv2x2SameOn3x3PadsBottomAndRight() {
        // "same" with an even kernel: total padding 1, TensorFlow puts it after (bottom/right), so
        // output (i, j) sees x[i..i+1][j..j+1] with zeros past the edge:
        // (0,2) 3·1+6·3 = 21; (1,2) 6+27 = 33; (2,0) 7·1+8·2 = 23; (2,1) 8+18 = 26; (2,2) 9
        Conv2D conv = built(new Conv2D(1, 2, 2).padding("same"), 1, 3, 3, 1);
        set(conv, 0, 1, 2, 3, 4);
        assertValues(conv.forward(oneToNine(), false), new int[]{1, 3, 3, 1}, 37, 47, 21, 67, 77, 33, 23, 26, 9);
    }

    @Test
    void conv2x2SameStride2On3x3() {
        // out = ceil(3/2) = 2; total padding (2−1)·2+2−3 = 1, after: windows start at 0 and 2
        // (0,0) 37; (0,1) x02·1 + x12·3 = 3+18 = 21; (1,0) x20·1 + x21·2 = 7+16 = 23; (1,1) 9
        Conv2D conv = built(new Conv2D(1, 2, 2).padding("same").strides(2, 2), 1, 3, 3, 1);
        set(conv, 0, 1, 2, 3, 4);
        assertValues(conv.forward(oneToNine(), false), new int[]{1, 2, 2, 1}, 37, 21, 23, 9);
    }

    @Test
    void conv3x3SameSumsNeighbourhoods() {
        // all-ones 3×3 kernel, "same": padding 1 on every side, each output is the sum of its 3×3
        // neighbourhood: [[1+2+4+5, 1+…+6, 2+3+5+6], [1+2+4+5+7+8, 45, 2+3+5+6+8+9], [4+5+7+8, 4+…+9, 5+6+8+9]]
        Conv2D conv = built(new Conv2D(1, 3, 3).padding("same"), 1, 3, 3, 1);
        set(conv, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        assertValues(conv.forward(oneToNine(), false), new int[]{1, 3, 3, 1}, 12, 21, 16, 27, 45, 33, 24, 39, 28);
    }

    @Test
    void conv3x2Stride2x1Valid() {
        // kernel 3 rows × 2 cols of ones on 3×3, strides (2, 1): rows out floor((3−3)/2)+1 = 1, cols 2
        // (0,0) 1+2+4+5+7+8 = 27; (0,1) 2+3+5+6+8+9 = 33
        Conv2D conv = built(new Conv2D(1, 3, 2).strides(2, 1), 1, 3, 3, 1);
        set(conv, 0, 1, 1, 1, 1, 1, 1);
        assertValues(conv.forward(oneToNine(), false), new int[]{1, 1, 2, 1}, 27, 33);
    }

    @Test
    void convKernelLayoutIsKhKwChannelsFilters() {
        // x: one row of two pixels with channels [1, 2] and [3, 4]; kernel 1×2, 2 channels, 1 filter,
        // kernel[0][dx][c][0] = {dx0: c0 1, c1 10; dx1: c0 100, c1 1000} → 1·1 + 2·10 + 3·100 + 4·1000 = 4321
        Conv2D conv = built(new Conv2D(1, 1, 2), 1, 1, 2, 2);
        set(conv, 0, 1, 10, 100, 1000);
        assertValues(conv.forward(new Tensor(new float[]{1, 2, 3, 4}, 1, 1, 2, 2), false), new int[]{1, 1, 1, 1}, 4321);

        // 1×1 kernel, 2 channels → 2 filters: kernel[c][f] = [[1, 2], [3, 4]], x = [1, 2]:
        // f0 = 1·1 + 2·3 = 7, f1 = 1·2 + 2·4 = 10; bias [−1, 1]; relu keeps both
        Conv2D mix = built(new Conv2D(2, 1, 1).activation("relu"), 1, 1, 1, 2);
        set(mix, 0, 1, 2, 3, 4);
        set(mix, 1, -1, 1);
        assertValues(mix.forward(new Tensor(new float[]{1, 2, -1, -2}, 2, 1, 1, 2), false), new int[]{2, 1, 1, 2},
                6, 11, 0, 0); // second sample: −7−1, −10+1 → relu → 0, 0
    }

    @Test
    void convBackwardByHand() {
        // valid 2×2 on 3×3, dy = 1 at (0,0) only: dK = the window x[0..1][0..1] = [1,2,4,5], db = 1,
        // dx = the kernel placed at (0,0): [[1,2,0],[3,4,0],[0,0,0]]
        Conv2D conv = built(new Conv2D(1, 2, 2), 1, 3, 3, 1);
        set(conv, 0, 1, 2, 3, 4);
        conv.forward(oneToNine(), true);
        conv.parameters().forEach(Parameter::zeroGrad);
        Tensor dx = conv.backward(new Tensor(new float[]{1, 0, 0, 0}, 1, 2, 2, 1));
        assertValues(dx, new int[]{1, 3, 3, 1}, 1, 2, 0, 3, 4, 0, 0, 0, 0);
        assertThat(conv.parameters().get(0).grad()).containsExactly(new float[]{1, 2, 4, 5}, within(TOL));
        assertThat(conv.parameters().get(1).grad()).containsExactly(new float[]{1}, within(TOL));
    }

    // ------------------------------------------------------------------ pooling

    @Test
    void maxPoolingValidAndSame() {
        // valid 2×2: one window {1,−2,−4,5} → 5
        assertValues(built(new MaxPooling2D(), 1, 3, 3, 1).forward(signed(), false), new int[]{1, 1, 1, 1}, 5);
        // same 2×2 stride 2: padding after; windows {1,−2,−4,5}, {3,−6}, {7,−8}, {9} → 5, 3, 7, 9
        assertValues(built(new MaxPooling2D().padding("same"), 1, 3, 3, 1).forward(signed(), false),
                new int[]{1, 2, 2, 1}, 5, 3, 7, 9);
        // padding cells never win, even when every real value is negative: {−3,−6} → −3, not 0
        Tensor negative = new Tensor(new float[]{-1, -2, -3, -4, -5, -6, -7, -8, -9}, 1, 3, 3, 1);
        assertValues(built(new MaxPooling2D().padding("same"), 1, 3, 3, 1).forward(negative, false),
                new int[]{1, 2, 2, 1}, -1, -3, -7, -9);
    }

    @Test
    void averagePoolingSameDividesByRealCells() {
        // valid: (1−2−4+5)/4 = 0
        assertValues(built(new AveragePooling2D(), 1, 3, 3, 1).forward(signed(), false), new int[]{1, 1, 1, 1}, 0);
        // same: (1−2−4+5)/4 = 0, (3−6)/2 = −1.5, (7−8)/2 = −0.5, 9/1 = 9 (not 9/4: Keras counts only real cells)
        assertValues(built(new AveragePooling2D().padding("same"), 1, 3, 3, 1).forward(signed(), false),
                new int[]{1, 2, 2, 1}, 0, -1.5f, -0.5f, 9);
    }

    @Test
    void pooling3x3Stride1SamePadsOnBothSides() {
        // pool 3, stride 1, "same": padding 1 before and after; corner windows have 4 real cells,
        // edge windows 6, the centre 9.
        // avg: (1−2−4+5)/4 = 0, (1−2+3−4+5−6)/6 = −1/2, (−2+3+5−6)/4 = 0,
        //      (1−2−4+5+7−8)/6 = −1/6, (1−2+3−4+5−6+7−8+9)/9 = 5/9, (−2+3+5−6−8+9)/6 = 1/6,
        //      (−4+5+7−8)/4 = 0, (−4+5−6+7−8+9)/6 = 1/2, (5−6−8+9)/4 = 0
        assertValues(built(new AveragePooling2D(3, 3).strides(1, 1).padding("same"), 1, 3, 3, 1).forward(signed(), false),
                new int[]{1, 3, 3, 1}, 0, -0.5f, 0, -1f / 6, 5f / 9, 1f / 6, 0, 0.5f, 0);
        assertValues(built(new MaxPooling2D(3, 3).strides(1, 1).padding("same"), 1, 3, 3, 1).forward(signed(), false),
                new int[]{1, 3, 3, 1}, 5, 5, 5, 7, 9, 9, 7, 9, 9);
    }

    @Test
    void poolingStridesDefaultToPoolSizeAndChannelsStaySeparate() {
        // strides (2, 1), valid, 2×2 on 3×3: rows floor((3−2)/2)+1 = 1, cols 2: {1,−2,−4,5} → 5, {−2,3,5,−6} → 5
        assertValues(built(new MaxPooling2D().strides(2, 1), 1, 3, 3, 1).forward(signed(), false), new int[]{1, 1, 2, 1}, 5, 5);
        // two channels, the second is −x: max of {−1,2,4,−5} is 4
        float[] two = new float[18];
        float[] s = signed().data();
        for (int i = 0; i < 9; i++) {
            two[2 * i] = s[i];
            two[2 * i + 1] = -s[i];
        }
        assertValues(built(new MaxPooling2D(), 1, 3, 3, 2).forward(new Tensor(two, 1, 3, 3, 2), false),
                new int[]{1, 1, 1, 2}, 5, 4);
    }

    @Test
    void poolingBackwardByHand() {
        // max, same: each output's gradient goes to its winner (5 at (1,1), 3 at (0,2), 7 at (2,0), 9 at (2,2))
        MaxPooling2D max = built(new MaxPooling2D().padding("same"), 1, 3, 3, 1);
        max.forward(signed(), true);
        assertValues(max.backward(new Tensor(new float[]{1, 2, 3, 4}, 1, 2, 2, 1)), new int[]{1, 3, 3, 1},
                0, 0, 2, 0, 1, 0, 3, 0, 4);
        // average, same: each output spreads its gradient over its real cells: 1/4 to each of the 4
        // top-left cells, 2/2 to (0,2),(1,2), 3/2 to (2,0),(2,1), 4/1 to (2,2)
        AveragePooling2D avg = built(new AveragePooling2D().padding("same"), 1, 3, 3, 1);
        avg.forward(signed(), true);
        assertValues(avg.backward(new Tensor(new float[]{1, 2, 3, 4}, 1, 2, 2, 1)), new int[]{1, 3, 3, 1},
                0.25f, 0.25f, 1, 0.25f, 0.25f, 1, 1.5f, 1.5f, 4);
    }

    // ------------------------------------------------------------------ Dense, activations

    @Test
    void denseByHand() {
        // W = [[1,2,3],[4,5,6]] (in 2, units 3), b = [0.5, −0.5, 1]
        // x = [1, 2]: [1+8, 2+10, 3+12] + b = [9.5, 11.5, 16]; x = [−1, 0]: [−1, −2, −3] + b = [−0.5, −2.5, −2]
        Dense dense = built(new Dense(3), 1, 2);
        set(dense, 0, 1, 2, 3, 4, 5, 6);
        set(dense, 1, 0.5f, -0.5f, 1);
        Tensor x = new Tensor(new float[]{1, 2, -1, 0}, 2, 2);
        assertValues(dense.forward(x, true), new int[]{2, 3}, 9.5f, 11.5f, 16, -0.5f, -2.5f, -2);
        // backward with dy = [[1,0,0],[0,0,0]]: dW = xᵀ·dy has column 0 = [1, 2]; db = [1, 0, 0]; dx = [[1, 4], [0, 0]]
        dense.parameters().forEach(Parameter::zeroGrad);
        Tensor dx = dense.backward(new Tensor(new float[]{1, 0, 0, 0, 0, 0}, 2, 3));
        assertValues(dx, new int[]{2, 2}, 1, 4, 0, 0);
        assertThat(dense.parameters().get(0).grad()).containsExactly(new float[]{1, 0, 0, 2, 0, 0}, within(TOL));
        assertThat(dense.parameters().get(1).grad()).containsExactly(new float[]{1, 0, 0}, within(TOL));
    }

    @Test
    void denseSoftmaxAndRelu() {
        // zero kernel, bias [0, ln 3]: softmax = [1, 3] / 4
        Dense soft = built(new Dense(2, "softmax"), 1, 2);
        set(soft, 0, 0, 0, 0, 0);
        set(soft, 1, 0, (float) Math.log(3));
        assertValues(soft.forward(new Tensor(new float[]{5, -7}, 1, 2), false), new int[]{1, 2}, 0.25f, 0.75f);
        // relu: W = I, b = 0: [3, −2] → [3, 0]
        Dense relu = built(new Dense(2, "relu"), 1, 2);
        set(relu, 0, 1, 0, 0, 1);
        assertValues(relu.forward(new Tensor(new float[]{3, -2}, 1, 2), false), new int[]{1, 2}, 3, 0);
    }

    @Test
    void softmaxByHand() {
        Activation softmax = built(new Activation("softmax"), 1, 3);
        // e^1, e^2, e^3 = 2.718282, 7.389056, 20.085537; sum 30.192875 → 0.0900306, 0.2447285, 0.6652410
        assertValues(softmax.forward(new Tensor(new float[]{1, 2, 3}, 1, 3), false), new int[]{1, 3},
                0.0900306f, 0.2447285f, 0.6652410f);
        // large logits do not overflow: [1000, 1000 + ln 3] → [1/4, 3/4]; shift-invariant
        Activation two = built(new Activation("softmax"), 1, 2);
        assertValues(two.forward(new Tensor(new float[]{1000, 1000 + (float) Math.log(3), -1000, 0}, 2, 2), false),
                new int[]{2, 2}, 0.25f, 0.75f, 0, 1);
        // softmax on an image acts on the last (channel) axis: each pixel's two channels [0, ln 3]
        Activation image = built(new Activation("softmax"), 1, 1, 2, 2);
        float l3 = (float) Math.log(3);
        assertValues(image.forward(new Tensor(new float[]{0, l3, l3, 0}, 1, 1, 2, 2), false), new int[]{1, 1, 2, 2},
                0.25f, 0.75f, 0.75f, 0.25f);
    }

    @Test
    void elementwiseActivationsByHand() {
        float ln2 = (float) Math.log(2), ln3 = (float) Math.log(3);
        Tensor x = new Tensor(new float[]{-1, 0, 2, ln3, -ln2, ln2}, 1, 6);
        // relu: max(0, x)
        assertValues(built(new Activation("relu"), 1, 6).forward(x, false), new int[]{1, 6}, 0, 0, 2, ln3, 0, ln2);
        // sigmoid: 1/(1+e^−x): σ(0) = 1/2, σ(ln 3) = 3/4, σ(−ln 2) = 1/3, σ(ln 2) = 2/3, σ(−1) = 0.2689414, σ(2) = 0.8807971
        assertValues(built(new Activation("sigmoid"), 1, 6).forward(x, false), new int[]{1, 6},
                0.2689414f, 0.5f, 0.8807971f, 0.75f, 1f / 3, 2f / 3);
        // tanh: tanh(ln 2) = (2 − 1/2)/(2 + 1/2) = 0.6; tanh(ln 3) = (3 − 1/3)/(3 + 1/3) = 0.8; tanh(−1) = −0.7615942, tanh(2) = 0.9640276
        assertValues(built(new Activation("tanh"), 1, 6).forward(x, false), new int[]{1, 6},
                -0.7615942f, 0, 0.9640276f, 0.8f, -0.6f, 0.6f);
        // elu (alpha 1): x for x > 0, e^x − 1 otherwise: e^−1 − 1 = −0.6321206, e^−ln2 − 1 = −1/2
        assertValues(built(new Activation("elu"), 1, 6).forward(x, false), new int[]{1, 6},
                -0.6321206f, 0, 2, ln3, -0.5f, ln2);
        assertValues(built(new Activation("linear"), 1, 6).forward(x, false), new int[]{1, 6}, x.data());
    }

    // ------------------------------------------------------------------ Flatten, Dropout

    @Test
    void flattenKeepsNhwcOrder() {
        // value at (h, w, c) = 100h + 10w + c; channels-last flattening runs c fastest, then w, then h
        Tensor x = Tensor.zeros(1, 2, 2, 2);
        for (int h = 0; h < 2; h++) {
            for (int w = 0; w < 2; w++) {
                for (int c = 0; c < 2; c++) {
                    x.set(100 * h + 10 * w + c, 0, h, w, c);
                }
            }
        }
        assertValues(built(new Flatten(), 1, 2, 2, 2).forward(x, false), new int[]{1, 8}, 0, 1, 10, 11, 100, 101, 110, 111);
    }

    @Test
    void dropoutScalesKeptUnitsByInverseKeepProbability() {
        // rate 0.75: kept units × 1/(1 − 0.75) = ×4; inference is the identity
        Dropout dropout = built(new Dropout(0.75), 1, 64);
        Tensor x = Tensor.zeros(2, 64);
        java.util.Arrays.fill(x.data(), 1.5f);
        float[] y = dropout.forward(x, true).data();
        int kept = 0;
        for (float v : y) {
            assertThat(v).isIn(0f, 6f);
            kept += v == 6f ? 1 : 0;
        }
        assertThat(kept).isBetween(1, 127);
        assertThat(dropout.forward(x, false).data()).containsOnly(1.5f);
        // rate 0 never drops, even in training
        assertThat(built(new Dropout(0), 1, 64).forward(x, true).data()).containsOnly(1.5f);
    }
}
