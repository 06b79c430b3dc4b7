package io.cnn4j.model;

import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SequentialTest {
    static Sequential vggLike(int h, int w, int c) {
        return Architectures.vggLike(new int[]{h, w, c}, 10, 7);
    }

    @Test
    void vggLikeSummaryHasKerasParameterCount() {
        Sequential model = vggLike(100, 100, 3);
        model.compile(new SGD(0.01, 0.9, true, 1e-6), "categorical_crossentropy");
        String s = model.summary();
        System.out.println(s);
        assertThat(model.parameterCount()).isEqualTo(7_998_250L);
        assertThat(s).contains("Total params: 7,998,250").contains("conv2d_1 (Conv2D)").contains("(None, 22, 22, 64)");
    }

    @Test
    void smallVggTrainsOneEpoch() {
        Sequential model = vggLike(16, 16, 1);
        model.compile(new SGD(0.01, 0.9, true, 1e-6), "categorical_crossentropy", "accuracy");
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        Tensor x = Tensor.zeros(40, 16, 16, 1);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) r.nextDouble();
        }
        int[] labels = new int[40];
        for (int i = 0; i < 40; i++) {
            labels[i] = r.nextInt(10);
        }
        History h = model.fit(x, Utils.toCategorical(labels, 10), FitOptions.defaults().batchSize(8).epochs(2).verbose(2));
        assertThat(h.get("loss")).hasSize(2).allMatch(Double::isFinite);
    }
}
