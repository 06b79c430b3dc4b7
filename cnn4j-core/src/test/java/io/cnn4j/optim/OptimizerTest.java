package io.cnn4j.optim;

import io.cnn4j.layers.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * SGD (legacy decay, momentum, Nesterov) and Adam over a few steps, against values worked out by
 * hand from Keras' update rules (keras/src/optimizers/sgd.py, adam.py; legacy decay
 * lr / (1 + decay · iterations) with iterations counted from 0 before the update).
 */
class OptimizerTest {
    /** The gradients of steps 1, 2, 3 for a two-element parameter starting at w = [1, −2]. */
    private static final float[][] GRADS = {{0.5f, 1}, {-1, 0.25f}, {2, -0.5f}};

    private static double[][] run(Optimizer opt, int steps) {
        Parameter p = new Parameter("w", 2);
        p.value()[0] = 1;
        p.value()[1] = -2;
        double[][] out = new double[steps][];
        for (int s = 0; s < steps; s++) {
            System.arraycopy(GRADS[s], 0, p.grad(), 0, 2);
            opt.step(List.of(p));
            out[s] = new double[]{p.value()[0], p.value()[1]};
        }
        assertThat(opt.iterations()).isEqualTo(steps);
        return out;
    }

    private static void assertSteps(double[][] actual, double[][] expected) {
        for (int s = 0; s < expected.length; s++) {
            assertThat(actual[s]).as("after step %d", s + 1).containsExactly(expected[s], within(2e-6));
        }
    }

    @Test
    void sgdNesterovWithLegacyDecay() {
        // lr 0.1, momentum 0.9, decay 0.5 → lr_t = 0.1, 0.1/1.5, 0.1/2 = 0.05
        // step 1: v = −0.1·g = [−0.05, −0.1];           w += 0.9·v − lr_t·g = [1 − 0.045 − 0.05, −2 − 0.09 − 0.1] = [0.905, −2.19]
        // step 2: v = 0.9·v − g/15 = [−0.045 + 0.0666667, −0.09 − 0.0166667] = [0.0216667, −0.1066667]
        //         w += 0.9·v − g/15 = [0.905 + 0.0195 + 0.0666667, −2.19 − 0.096 − 0.0166667] = [0.9911667, −2.3026667]
        // step 3: v = 0.9·v − 0.05·g = [0.0195 − 0.1, −0.096 + 0.025] = [−0.0805, −0.071]
        //         w += 0.9·v − 0.05·g = [0.9911667 − 0.07245 − 0.1, −2.3026667 − 0.0639 + 0.025] = [0.8187167, −2.3415667]
        SGD sgd = new SGD(0.1, 0.9, true, 0.5);
        assertThat(sgd.currentLearningRate()).isCloseTo(0.1, within(1e-12));
        assertSteps(run(sgd, 3), new double[][]{{0.905, -2.19}, {0.9911667, -2.3026667}, {0.8187167, -2.3415667}});
        assertThat(sgd.currentLearningRate()).isCloseTo(0.1 / (1 + 0.5 * 3), within(1e-12));
    }

    @Test
    void sgdClassicalMomentumWithLegacyDecay() {
        // v as above; w += v: step 1 [0.95, −2.1]; step 2 + [0.0216667, −0.1066667] = [0.9716667, −2.2066667];
        // step 3 + [−0.0805, −0.071] = [0.8911667, −2.2776667]
        assertSteps(run(new SGD(0.1, 0.9, false, 0.5), 3),
                new double[][]{{0.95, -2.1}, {0.9716667, -2.2066667}, {0.8911667, -2.2776667}});
    }

    @Test
    void plainSgdWithLegacyDecay() {
        // w −= lr_t·g: [1 − 0.05, −2 − 0.1]; [0.95 + 0.0666667, −2.1 − 0.0166667]; [1.0166667 − 0.1, −2.1166667 + 0.025]
        assertSteps(run(new SGD(0.1, 0, false, 0.5), 3),
                new double[][]{{0.95, -2.1}, {1.0166667, -2.1166667}, {0.9166667, -2.0916667}});
        // Keras defaults: lr 0.01, no momentum, no decay
        SGD defaults = new SGD();
        assertThat(defaults.config()).isEqualTo(new SGD.Config(0.01, 0, false, 0));
    }

    @Test
    void adamLegacyDecayScalesTheStepLikeSgds() {
        // Keras 2 Adam(decay=d): lr_t = lr / (1 + d · iterations); with the same gradients, the second
        // step of a decayed Adam is the undecayed step times 1/(1 + d) (the moments are identical)
        Parameter plain = new Parameter("w", 1), decayed = new Parameter("w", 1);
        Adam a = new Adam(), b = new Adam(new Adam.Config(0.001, 0.9, 0.999, 1e-7, 0.5));
        float[] before = new float[2];
        for (int s = 0; s < 2; s++) {
            plain.grad()[0] = 0.3f;
            decayed.grad()[0] = 0.3f;
            before[0] = plain.value()[0];
            before[1] = decayed.value()[0];
            assertThat(b.currentLearningRate()).isCloseTo(0.001 / (1 + 0.5 * s), within(1e-12));
            a.step(List.of(plain));
            b.step(List.of(decayed));
        }
        float stepPlain = plain.value()[0] - before[0], stepDecayed = decayed.value()[0] - before[1];
        assertThat(stepDecayed).isCloseTo(stepPlain / 1.5f, within(1e-9f));
        assertThatThrownBy(() -> new Adam.Config(0.001, 0.9, 0.999, 1e-7, -1)).hasMessageContaining("decay");
    }

    @Test
    void adamWithKerasDefaults() {
        // lr 0.001, β1 0.9, β2 0.999, ε 1e-7; gradients [0.5, 0.001] then [−1, 2]
        // step 1: m = 0.1·g = [0.05, 1e-4], v = 0.001·g² = [2.5e-4, 1e-9], α = 0.001·√0.001/0.1 = 3.1622777e-4
        //   w −= α·m/(√v + ε) = α·[0.05/0.0158115, 1e-4/(3.16228e-5 + 1e-7)] = [9.99994e-4, 9.96853e-4]
        //   → [0.99900001, −2.00099685]
        // step 2: m = [0.045 − 0.1, 9e-5 + 0.2] = [−0.055, 0.20009], v = [2.4975e-4 + 0.001, 9.99e-10 + 0.004] = [1.24975e-3, 4.000000999e-3]
        //   α = 0.001·√(1 − 0.999²)/(1 − 0.81) = 0.001·0.0447102/0.19 = 2.3531695e-4
        //   w −= α·[−0.055/0.0353518, 0.20009/0.0632456] = [−3.66106e-4, 7.44466e-4] → [0.99936611, −2.00174132]
        Adam adam = new Adam();
        assertThat(adam.config()).isEqualTo(new Adam.Config(0.001, 0.9, 0.999, 1e-7));
        Parameter p = new Parameter("w", 2);
        p.value()[0] = 1;
        p.value()[1] = -2;
        float[][] grads = {{0.5f, 0.001f}, {-1, 2}};
        double[][] expected = {{0.99900001, -2.00099685}, {0.99936611, -2.00174132}};
        for (int s = 0; s < 2; s++) {
            System.arraycopy(grads[s], 0, p.grad(), 0, 2);
            adam.step(List.of(p));
            assertThat(p.value()[0]).as("w0 after step %d", s + 1).isCloseTo((float) expected[s][0], within(2e-7f));
            assertThat(p.value()[1]).as("w1 after step %d", s + 1).isCloseTo((float) expected[s][1], within(2e-7f));
        }
        // the state is the moments, in parameter order: m then v
        List<float[]> state = adam.state(List.of(p));
        assertThat(state.get(0)).containsExactly(new float[]{-0.055f, 0.20009f}, within(1e-7f));
        assertThat(state.get(1)).containsExactly(new float[]{1.24975e-3f, 4.000001e-3f}, within(1e-9f));
    }

    @Test
    void resumingFromStateAndIterationsContinuesExactly() {
        // an optimizer restored from another's state arrays and iteration count takes the same next step
        for (OptimizerConfig config : new OptimizerConfig[]{new SGD.Config(0.1, 0.9, true, 0.5), new Adam.Config(0.01, 0.9, 0.999, 1e-7)}) {
            Optimizer a = config.create();
            Parameter pa = new Parameter("w", 2);
            pa.value()[0] = 1;
            pa.value()[1] = -2;
            for (int s = 0; s < 2; s++) {
                System.arraycopy(GRADS[s], 0, pa.grad(), 0, 2);
                a.step(List.of(pa));
            }
            Optimizer b = config.create();
            Parameter pb = new Parameter("w", 2);
            System.arraycopy(pa.value(), 0, pb.value(), 0, 2);
            List<float[]> from = a.state(List.of(pa)), to = b.state(List.of(pb));
            for (int i = 0; i < from.size(); i++) {
                System.arraycopy(from.get(i), 0, to.get(i), 0, from.get(i).length);
            }
            b.setIterations(a.iterations());
            System.arraycopy(GRADS[2], 0, pa.grad(), 0, 2);
            System.arraycopy(GRADS[2], 0, pb.grad(), 0, 2);
            a.step(List.of(pa));
            b.step(List.of(pb));
            assertThat(pb.value()).as(a.name()).containsExactly(pa.value());
        }
    }

    @Test
    void badHyperparametersAreRefusedWithTheValue() {
        assertThatThrownBy(() -> new SGD(-0.1)).hasMessageContaining("-0.1");
        assertThatThrownBy(() -> new SGD(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> new SGD(0.1, 1.5, false, 0)).hasMessageContaining("momentum").hasMessageContaining("1.5");
        assertThatThrownBy(() -> new SGD(0.1, 0.9, false, -1)).hasMessageContaining("decay");
        assertThatThrownBy(() -> new Adam(0)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> new Adam.Config(0.001, 1.0, 0.999, 1e-7)).hasMessageContaining("betas");
    }
}
