package io.cnn4j.model;

import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Parameter;
import io.cnn4j.optim.Adam;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * computeGradients + applyGradients is the public split of trainOnBatch that distributed trainers
 * (cnn4j-spark) build on: they must be the same computation, and computeGradients must not move
 * the weights.
 */
class GradientStepSplitTest {
    private static Sequential model() {
        Sequential m = new Sequential(7);
        m.add(new Conv2D(3, 3).inputShape(6, 6, 1));
        m.add(new Flatten());
        m.add(new Dense(4, "softmax"));
        m.compile(new Adam(0.01), "categorical_crossentropy", "accuracy");
        return m;
    }

    @Test
    void splitStepIsBitIdenticalToTrainOnBatch() {
        Tensor x = ModelTestData.uniform(1, 10, 6, 6, 1);
        Tensor y = ModelTestData.randomOneHot(2, 10, 4);
        Sequential a = model(), b = model();
        for (int step = 0; step < 3; step++) {
            double la = a.trainOnBatch(x, y);
            List<float[]> before = ModelTestData.snapshot(b);
            double lb = b.computeGradients(x, y);
            // the gradient pass alone leaves the weights where they were
            List<float[]> after = ModelTestData.snapshot(b);
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).containsExactly(before.get(i));
            }
            b.applyGradients();
            assertThat(lb).isEqualTo(la);
        }
        List<Parameter> pa = a.parameters(), pb = b.parameters();
        for (int i = 0; i < pa.size(); i++) {
            assertThat(pb.get(i).value()).containsExactly(pa.get(i).value());
        }
        assertThat(b.optimizer().iterations()).isEqualTo(3);
    }

    @Test
    void shardGradientsScaledByShardShareSumToTheBatchGradient() {
        // the identity the Spark trainer relies on: mean loss over B = Σ shard means · b_i / B
        Tensor x = ModelTestData.uniform(3, 10, 6, 6, 1);
        Tensor y = ModelTestData.randomOneHot(4, 10, 4);
        Sequential m = model();
        m.computeGradients(x, y);
        List<float[]> whole = grads(m);
        m.computeGradients(x.slice(0, 3), y.slice(0, 3));
        List<float[]> first = grads(m);
        m.computeGradients(x.slice(3, 7), y.slice(3, 7));
        List<float[]> second = grads(m);
        for (int p = 0; p < whole.size(); p++) {
            for (int i = 0; i < whole.get(p).length; i++) {
                float sum = first.get(p)[i] * 0.3f + second.get(p)[i] * 0.7f;
                assertThat(sum).isCloseTo(whole.get(p)[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    private static List<float[]> grads(Sequential m) {
        return m.parameters().stream().map(p -> p.grad().clone()).toList();
    }
}
