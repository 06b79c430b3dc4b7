package io.cnn4j.model;

import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SequentialTest {
    static Sequential vggLike(int h, int w, int c) {
        Sequential model = new Sequential(7);
        model.add(new Conv2D(32, 3, 3).activation("relu").inputShape(h, w, c));
        model.add(new Conv2D(32, 3, 3).activation("relu"));
        model.add(new MaxPooling2D(2, 2));
        model.add(new Dropout(0.25));
        model.add(new Conv2D(64, 3, 3).activation("relu"));
        model.add(new Conv2D(64, 3, 3).activation("relu"));
        model.add(new MaxPooling2D(2, 2));
        model.add(new Dropout(0.25));
        model.add(new Flatten());
        model.add(new Dense(256, "relu"));
        model.add(new Dropout(0.5));
        model.add(new Dense(10, "softmax"));
        return model;
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
