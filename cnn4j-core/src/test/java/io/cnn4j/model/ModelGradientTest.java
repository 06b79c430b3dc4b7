package io.cnn4j.model;

import io.cnn4j.layers.Activation;
import io.cnn4j.layers.AveragePooling2D;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.Parameter;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.cnn4j.model.ModelTestData.randomOneHot;
import static io.cnn4j.model.ModelTestData.snapshot;
import static io.cnn4j.model.ModelTestData.uniform;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole model's gradient — loss, fused softmax, every layer's backward in sequence — against
 * finite differences of the loss that evaluate() reports. The gradient is read back from one
 * trainOnBatch with plain SGD at learning rate 1: w_after = w − g.
 */
class ModelGradientTest {

    private static Sequential model(String loss, boolean separateSoftmax) {
        Sequential model = new Sequential(17);
        model.add(new Conv2D(3, 3, 3).strides(2, 1).padding("same").activation("tanh").inputShape(9, 9, 2));
        model.add(new AveragePooling2D().padding("same"));
        model.add(new Conv2D(4, 2, 2).activation("elu"));
        model.add(new MaxPooling2D(2, 1).strides(1, 1));
        model.add(new Flatten());
        model.add(new Dense(5, "sigmoid"));
        if (separateSoftmax) {
            model.add(new Dense(3));
            model.add(new Activation("softmax"));
        } else {
            model.add(new Dense(3, "softmax"));
        }
        model.compile(new SGD(1.0), loss);
        return model;
    }

    @ParameterizedTest
    @ValueSource(strings = {"categorical_crossentropy", "sparse_categorical_crossentropy", "categorical_crossentropy+activation"})
    void modelGradientMatchesFiniteDifferences(String variant) {
        String loss = variant.replace("+activation", "");
        Sequential model = model(loss, variant.endsWith("+activation"));
        Tensor x = uniform(3, 4, 9, 9, 2);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = x.data()[i] * 4 - 2;
        }
        Tensor y = loss.startsWith("sparse") ? new Tensor(new float[]{0, 2, 1, 2}, 4) : randomOneHot(4, 4, 3);
        // make the weights larger than Glorot's so that every layer matters
        for (Parameter p : model.parameters()) {
            float[] w = p.value();
            for (int i = 0; i < w.length; i++) {
                w[i] = w[i] * 2 + 0.1f * (float) Math.sin(i + p.name().length());
            }
        }
        List<float[]> before = snapshot(model);
        model.trainOnBatch(x, y);
        List<float[]> after = snapshot(model);
        List<Parameter> params = model.parameters();
        for (int k = 0; k < params.size(); k++) {
            System.arraycopy(before.get(k), 0, params.get(k).value(), 0, before.get(k).length);
        }
        double eps = 1e-3;
        double diffSq = 0, normSq = 0;
        for (int k = 0; k < params.size(); k++) {
            float[] w = params.get(k).value();
            for (int i = 0; i < w.length; i++) {
                double analytic = (double) before.get(k)[i] - after.get(k)[i];
                float saved = w[i];
                w[i] = (float) (saved + eps);
                double up = model.evaluate(x, y, 4).get("loss");
                w[i] = (float) (saved - eps);
                double down = model.evaluate(x, y, 4).get("loss");
                double step = (double) (float) (saved + eps) - (double) (float) (saved - eps);
                w[i] = saved;
                double numeric = (up - down) / step;
                assertThat(Math.abs(numeric - analytic))
                        .as("%s: d loss / d %s[%d]: numeric %s, analytic %s", variant, params.get(k).name(), i, numeric, analytic)
                        .isLessThanOrEqualTo(3e-4 + 1e-2 * Math.abs(numeric));
                diffSq += (numeric - analytic) * (numeric - analytic);
                normSq += numeric * numeric;
            }
        }
        assertThat(normSq).isPositive();
        assertThat(Math.sqrt(diffSq / normSq)).as("relative error of the whole gradient").isLessThan(2e-3);
    }
}
