package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnn4j.data.DataSplits;
import io.cnn4j.data.Dataset;
import io.cnn4j.data.Datasets;
import io.cnn4j.data.Standardizer;
import io.cnn4j.io.ModelFiles;
import io.cnn4j.io.SavedModel;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trained model's test accuracy in ONNX Runtime equals cnn4j's. The always-on case trains a small
 * CNN briefly on the embedded Fashion-MNIST subset; {@code -Dcnn4j.onnx.accuracyModel=m.cnn4j}
 * checks a model trained by the CLI (e.g. {@code ./cnn4j train --model vgg-like --epochs 1 --save m.cnn4j})
 * with the preprocessing recorded in it, and prints both accuracies.
 */
class OnnxRuntimeAccuracyTest {
    record Comparison(double cnn4jAccuracy, double ortAccuracy, float maxAbsDiff, int images) {
    }

    static Comparison compare(Sequential model, Tensor x, int[] labels) throws Exception {
        byte[] onnx = OnnxModels.toProto(model).toByteArray();
        int n = x.dim(0);
        int classes = model.outputShape()[0];
        int batch = 250;
        int rightCnn4j = 0, rightOrt = 0;
        float maxDiff = 0;
        for (int from = 0; from < n; from += batch) {
            int count = Math.min(batch, n - from);
            Tensor xb = x.slice(from, count).copy();
            float[] a = model.predict(xb.copy(), count).data();
            float[] b = OnnxRuntimeCheck.run(onnx, xb);
            maxDiff = Math.max(maxDiff, TestModels.maxAbsDiff(a, b));
            for (int i = 0; i < count; i++) {
                rightCnn4j += argmax(a, i * classes, classes) == labels[from + i] ? 1 : 0;
                rightOrt += argmax(b, i * classes, classes) == labels[from + i] ? 1 : 0;
            }
        }
        return new Comparison((double) rightCnn4j / n, (double) rightOrt / n, maxDiff, n);
    }

    private static int argmax(float[] v, int off, int len) {
        int best = 0;
        for (int i = 1; i < len; i++) {
            if (v[off + i] > v[off + best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void brieflyTrainedCnnHasTheSameTestAccuracyInOnnxRuntime() throws Exception {
        DataSplits data = Datasets.load(null, Datasets.Lookup.fromEnvironment(null));
        Dataset train = data.train().slice(0, Math.min(1000, data.train().size()));
        Sequential m = new Sequential("small", 7)
                .add(new Conv2D(8, 3).activation("relu").inputShape(data.inputShape()))
                .add(new MaxPooling2D(2, 2))
                .add(new Dropout(0.25))
                .add(new Flatten())
                .add(new Dense(data.classes(), "softmax"));
        m.compile(new Adam(), "categorical_crossentropy", "accuracy");
        m.fit(train.x(), train.oneHot(), io.cnn4j.model.FitOptions.defaults().batchSize(50).epochs(1).verbose(0));
        Comparison c = compare(m, data.test().x(), data.test().labels());
        assertThat(c.maxAbsDiff()).isLessThanOrEqualTo(1e-5f);
        assertThat(c.ortAccuracy()).isEqualTo(c.cnn4jAccuracy());
        assertThat(c.cnn4jAccuracy()).isGreaterThan(0.3); // it learned something, so the check is not vacuous
    }

    @Test
    @EnabledIfSystemProperty(named = "cnn4j.onnx.accuracyModel", matches = ".+")
    void savedModelHasTheSameTestAccuracyInOnnxRuntime() throws Exception {
        Path file = Path.of(System.getProperty("cnn4j.onnx.accuracyModel"));
        SavedModel saved = ModelFiles.read(file, null);
        JsonNode meta = saved.metadata();
        DataSplits data = Datasets.load(meta.hasNonNull("dataset") ? meta.get("dataset").asText() : null,
                Datasets.Lookup.fromEnvironment(null));
        Tensor x = data.test().x();
        JsonNode s = meta.path("preprocessing").path("standardize");
        if (s.isObject()) { // what the CLI's evaluate does: pixels / 255 (done by the loader), then the recorded standardisation
            float[] mean = new float[s.get("mean").size()], std = new float[s.get("std").size()];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = (float) s.get("mean").get(i).asDouble();
                std[i] = (float) s.get("std").get(i).asDouble();
            }
            x = new Standardizer(mean, std).apply(x);
        }
        Comparison c = compare(saved.model(), x, data.test().labels());
        System.out.printf(Locale.ROOT, "%s on %s test (%d images): cnn4j accuracy %.4f, ONNX Runtime accuracy %.4f, "
                + "max |difference| of the probabilities %.2e%n", file, data.name(), c.images(), c.cnn4jAccuracy(), c.ortAccuracy(), c.maxAbsDiff());
        assertThat(c.ortAccuracy()).isEqualTo(c.cnn4jAccuracy());
        assertThat(c.maxAbsDiff()).isLessThanOrEqualTo(1e-5f);
    }
}
