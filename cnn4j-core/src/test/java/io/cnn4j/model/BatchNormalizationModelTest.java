package io.cnn4j.model;

import io.cnn4j.io.ModelFiles;
import io.cnn4j.io.ModelJson;
import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.GlobalAveragePooling2D;
import io.cnn4j.layers.GlobalMaxPooling2D;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.Parameter;
import io.cnn4j.layers.ReLU;
import io.cnn4j.layers.Regularizer;
import io.cnn4j.layers.ZeroPadding2D;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * BatchNormalization, global pooling, ZeroPadding2D, ReLU and regularizers inside models: inference
 * is affine, folding into the convolution, moving statistics (updated only in training, saved and
 * loaded), the regularization penalty in the loss and the gradients, JSON round trips and Keras imports.
 */
class BatchNormalizationModelTest {
    @TempDir
    Path dir;

    static Sequential convBnModel(long seed, boolean convBias, String convActivation) {
        Sequential m = new Sequential(seed);
        m.add(new ZeroPadding2D().inputShape(6, 5, 2));
        m.add(new Conv2D(4, 3, 3).useBias(convBias).activation(convActivation)
                .kernelRegularizer(Regularizer.l2Of(1e-3)).biasRegularizer(Regularizer.l1Of(1e-3)));
        m.add(new BatchNormalization());
        m.add(new ReLU());
        m.add(new Conv2D(3, 2, 2).strides(2, 2));
        m.add(new BatchNormalization().center(false));
        m.add(new GlobalAveragePooling2D());
        m.add(new Dense(5).kernelRegularizer(Regularizer.l1L2(1e-3, 1e-3)));
        m.add(new BatchNormalization());
        m.add(new Dense(3, "softmax"));
        return m;
    }

    /** A few SGD steps so that γ, β and the moving statistics are no longer at their initial values. */
    static Sequential trained(long seed, boolean convBias, String convActivation) {
        Sequential m = convBnModel(seed, convBias, convActivation);
        m.compile(new SGD(0.1), "categorical_crossentropy", "accuracy");
        Tensor x = ModelTestData.uniform(seed, 8, 6, 5, 2);
        Tensor y = ModelTestData.randomOneHot(seed + 1, 8, 3);
        for (int i = 0; i < 5; i++) {
            m.trainOnBatch(x, y);
        }
        return m;
    }

    @Property(tries = 20)
    void batchNormalizationInInferenceIsAnAffineMapPerChannel(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int channels) {
        SplittableRandom r = new SplittableRandom(seed);
        BatchNormalization bn = new BatchNormalization();
        bn.build(new int[]{3, channels}, new io.cnn4j.layers.BuildContext(r.split(), io.cnn4j.kernels.Backends.select(), 1));
        for (Parameter p : bn.weights()) {
            for (int i = 0; i < p.size(); i++) {
                p.value()[i] = (float) (0.1 + 2 * r.nextDouble());
            }
        }
        Tensor x1 = ModelTestData.uniform(r.nextLong(), 4, 3, channels);
        Tensor x2 = ModelTestData.uniform(r.nextLong(), 4, 3, channels);
        float[] y1 = bn.forward(x1, false).data().clone();
        float[] y2 = bn.forward(x2, false).data().clone();
        float[] s = new float[channels], t = new float[channels];
        bn.inferenceAffine(s, t);
        double lambda = r.nextDouble() * 3 - 1;
        Tensor mix = x1.copy();
        for (int i = 0; i < mix.size(); i++) {
            mix.data()[i] = (float) (lambda * x1.data()[i] + (1 - lambda) * x2.data()[i]);
        }
        float[] ym = bn.forward(mix, false).data();
        for (int i = 0; i < ym.length; i++) {
            int c = i % channels;
            // y = s·x + t exactly as documented, and affine combinations are preserved
            assertThat(y1[i]).isCloseTo(s[c] * x1.data()[i] + t[c], within(1e-5f * (1 + Math.abs(y1[i]))));
            assertThat((double) ym[i]).isCloseTo(lambda * y1[i] + (1 - lambda) * y2[i], within(1e-4 * (1 + Math.abs(ym[i]))));
        }
    }

    @Property(tries = 10)
    void foldingBatchNormalizationIntoTheLayerBeforeGivesTheSameOutput(@ForAll long seed, @ForAll boolean convBias) {
        Sequential m = trained(seed, convBias, "linear");
        Sequential folded = BatchNormFolding.fold(m);
        // the first conv → BN and the dense → BN pairs fold; the BN after conv(2×2) too; the ReLU stays
        assertThat(folded.layers()).noneMatch(l -> l instanceof BatchNormalization);
        assertThat(folded.layers()).hasSize(m.layers().size() - 3);
        Tensor x = ModelTestData.uniform(seed + 5, 6, 6, 5, 2);
        float[] expected = m.predict(x).data();
        float[] actual = folded.predict(x).data();
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("output %d", i).isCloseTo(expected[i], within(1e-5f));
        }
    }

    @Test
    void aBatchNormalizationAfterAnActivationIsNotFolded() {
        Sequential m = trained(3, true, "relu");
        Sequential folded = BatchNormFolding.fold(m);
        assertThat(folded.layers().get(2)).isInstanceOf(BatchNormalization.class);
        Tensor x = ModelTestData.uniform(9, 4, 6, 5, 2);
        float[] expected = m.predict(x).data(), actual = folded.predict(x).data();
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
        }
    }

    @Test
    void movingStatisticsChangeOnlyInTrainingAndAreNotTrainable() {
        Sequential m = convBnModel(1, false, "linear");
        m.compile(new SGD(0.1), "categorical_crossentropy");
        BatchNormalization bn = (BatchNormalization) m.layers().get(2);
        assertThat(m.parameters()).noneMatch(p -> p.name().contains("moving"));
        assertThat(m.weights()).filteredOn(p -> p.name().contains("moving")).hasSize(6);
        assertThat(bn.weights()).extracting(Parameter::name)
                .containsExactly("batch_normalization/gamma", "batch_normalization/beta", "batch_normalization/moving_mean",
                        "batch_normalization/moving_variance");
        Tensor x = ModelTestData.uniform(2, 8, 6, 5, 2);
        Tensor y = ModelTestData.randomOneHot(3, 8, 3);
        float[] before = bn.movingVariance().clone();
        m.predict(x);
        m.evaluate(x, y);
        assertThat(bn.movingVariance()).isEqualTo(before);
        m.trainOnBatch(x, y);
        assertThat(bn.movingVariance()).isNotEqualTo(before);
        String summary = m.summary();
        long nonTrainable = 2 * (4 + 3 + 5);
        assertThat(summary).contains(String.format(java.util.Locale.ROOT, "Non-trainable params: %,d", nonTrainable));
        assertThat(m.parameterCount() - m.trainableParameterCount()).isEqualTo(nonTrainable);
    }

    @Test
    void regularizationPenaltyIsInTheLossAndItsGradient() {
        Sequential m = convBnModel(4, true, "linear");
        m.compile(new SGD(0.1), "categorical_crossentropy");
        Tensor x = ModelTestData.uniform(5, 6, 6, 5, 2);
        Tensor y = ModelTestData.randomOneHot(6, 6, 3);
        // penalty by hand: L2 1e-3 on conv kernel, L1 1e-3 on conv bias (zeros), L1 + L2 1e-3 on the dense kernel
        Conv2D conv = (Conv2D) m.layers().get(1);
        Dense dense = (Dense) m.layers().get(7);
        double expected = 0;
        for (float w : conv.parameters().get(0).value()) {
            expected += 1e-3 * w * w;
        }
        for (float w : dense.parameters().get(0).value()) {
            expected += 1e-3 * Math.abs(w) + 1e-3 * w * w;
        }
        assertThat(m.regularizationLoss()).isCloseTo(expected, within(1e-9));
        assertThat(expected).isPositive();
        // evaluate reports the data loss plus the penalty, as Keras' evaluate does
        Map<String, Double> eval = m.evaluate(x, y);
        Sequential plain = new Sequential(4);
        for (Layer l : m.layers()) {
            plain.add(l.config() instanceof Conv2D.Config k ? new Conv2D(new Conv2D.Config(k.filters(), k.kernelSize(), k.strides(),
                    k.padding(), k.activation(), k.useBias(), k.kernelInitializer(), k.biasInitializer()))
                    : l.config() instanceof Dense.Config d ? new Dense(new Dense.Config(d.units(), d.activation(), d.useBias(),
                    d.kernelInitializer(), d.biasInitializer())) : l.config().newLayer());
        }
        plain.build(6, 5, 2);
        plain.compile(new SGD(0.1), "categorical_crossentropy");
        assertThat(plain.evaluate(x, y).get("loss")).isCloseTo(eval.get("loss") - expected, within(1e-6));

        // finite differences of the full training loss (data + penalty) on a few kernel weights
        double loss0 = m.computeGradients(x, y);
        assertThat(loss0).isCloseTo(plain.computeGradients(x, y) + expected, within(1e-5));
        Parameter kernel = dense.parameters().get(0);
        float[] analytic = kernel.grad().clone();
        float[] plainGrad = ((Dense) plain.layers().get(7)).parameters().get(0).grad();
        for (int i = 0; i < 6; i++) {
            float w = kernel.value()[i];
            double reg = 1e-3 * Math.signum(w) + 2e-3 * w;
            assertThat((double) analytic[i]).isCloseTo(plainGrad[i] + reg, within(1e-6));
            float eps = 1e-2f;
            kernel.value()[i] = w + eps;
            double up = m.computeGradients(x, y);
            kernel.value()[i] = w - eps;
            double down = m.computeGradients(x, y);
            kernel.value()[i] = w;
            assertThat((up - down) / (2 * eps)).as("d loss / d kernel[%d]", i).isCloseTo(analytic[i], within(2e-3 + 2e-2 * Math.abs(analytic[i])));
        }
    }

    @Test
    void modelFilesRoundTripWithMovingStatistics() throws IOException {
        Sequential m = new Sequential(8);
        m.add(new Conv2D(4, 3, 3).useBias(false).inputShape(6, 6, 1).kernelRegularizer(Regularizer.l2Of(0.01)));
        m.add(new BatchNormalization().momentum(0.9).epsilon(1e-5));
        m.add(new ReLU(new ReLU.Config(6.0, 0.1, 0.0)));
        m.add(new ZeroPadding2D(new ZeroPadding2D.Config(new int[]{1, 0, 0, 1})));
        m.add(new GlobalMaxPooling2D(new GlobalMaxPooling2D.Config(true)));
        m.add(new Flatten());
        m.add(new Dense(2, "softmax").biasRegularizer(Regularizer.l1L2(0.01, 0.02)));
        m.compile(new SGD(0.05, 0.9, false, 0), "categorical_crossentropy", "accuracy");
        Tensor x = ModelTestData.uniform(1, 8, 6, 6, 1);
        Tensor y = ModelTestData.randomOneHot(2, 8, 2);
        m.trainOnBatch(x, y);
        m.trainOnBatch(x, y);
        Path f = dir.resolve("bn.cnn4j");
        ModelFiles.save(m, f);
        Sequential back = ModelFiles.load(f);
        for (int i = 0; i < m.layers().size(); i++) {
            assertThat(back.layers().get(i).config()).isEqualTo(m.layers().get(i).config());
        }
        assertThat(back.weights()).hasSameSizeAs(m.weights());
        for (int i = 0; i < m.weights().size(); i++) {
            assertThat(back.weights().get(i).name()).isEqualTo(m.weights().get(i).name());
            assertThat(back.weights().get(i).value()).isEqualTo(m.weights().get(i).value());
        }
        assertThat(((BatchNormalization) back.layers().get(1)).movingMean()).isNotEqualTo(new float[4]);
        assertThat(back.predict(x).data()).isEqualTo(m.predict(x).data());
        // training continues identically (optimizer state and moving statistics restored)
        assertThat(back.trainOnBatch(x, y)).isEqualTo(m.trainOnBatch(x, y));
        assertThat(back.predict(x).data()).isEqualTo(m.predict(x).data());
        // and the JSON alone gives the same architecture, here and for the model with global average pooling
        for (Sequential model : List.of(m, trained(3, true, "linear"))) {
            Sequential fromJson = ModelJson.fromJson(ModelJson.toJson(model));
            fromJson.build();
            assertThat(fromJson.layers()).hasSameSizeAs(model.layers());
            for (int i = 0; i < model.layers().size(); i++) {
                assertThat(fromJson.layers().get(i).config()).isEqualTo(model.layers().get(i).config());
            }
        }
    }

    @Test
    void keras3BatchNormFixtureImports() throws IOException {
        String json = new String(getClass().getResourceAsStream("/io/cnn4j/io/keras3-batchnorm.json").readAllBytes(), StandardCharsets.UTF_8);
        Sequential m = ModelJson.fromJson(json);
        m.build();
        assertThat(m.layers()).extracting(Layer::className).containsExactly("Conv2D", "BatchNormalization", "Flatten", "Dense");
        assertThat(m.layers().get(1).config()).isEqualTo(BatchNormalization.Config.defaults());
        assertThat(m.layers().get(1).name()).isEqualTo("batch_normalization");
        // conv 3·3·1·4 + 4, BN 4 · (γ, β, moving mean, moving variance), dense 6·6·4·2 + 2
        assertThat(m.parameterCount()).isEqualTo(40 + 16 + 290);
        assertThat(m.trainableParameterCount()).isEqualTo(40 + 8 + 290);
    }

    /** Keras 2 (tf.keras 2.x) to_json: the built axis as a list, regularizers as {class_name, config}, global pooling, padding, ReLU. */
    @Test
    void keras2StyleJsonWithTheNewLayersImports() {
        String json = """
                {"class_name": "Sequential", "config": {"name": "sequential_3", "layers": [
                 {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 3], "dtype": "float32", "name": "in"}},
                 {"class_name": "ZeroPadding2D", "config": {"name": "zp", "padding": [[1, 2], [0, 1]], "data_format": "channels_last"}},
                 {"class_name": "Conv2D", "config": {"name": "c", "filters": 4, "kernel_size": [3, 3], "strides": [1, 1],
                   "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear",
                   "use_bias": false, "kernel_initializer": {"class_name": "HeUniform", "config": {"seed": null}},
                   "bias_initializer": {"class_name": "Zeros", "config": {}},
                   "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.0005}},
                   "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
                 {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [3], "momentum": 0.9, "epsilon": 1e-05,
                   "center": true, "scale": false, "beta_initializer": {"class_name": "Zeros", "config": {}},
                   "gamma_initializer": {"class_name": "Ones", "config": {}},
                   "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
                   "moving_variance_initializer": {"class_name": "Ones", "config": {}},
                   "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}},
                 {"class_name": "ReLU", "config": {"name": "r", "max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}},
                 {"class_name": "GlobalAveragePooling2D", "config": {"name": "g", "data_format": "channels_last", "keepdims": false}},
                 {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax", "use_bias": true,
                   "kernel_regularizer": "l2"}}]}}
                """;
        Sequential m = ModelJson.fromJson(json);
        m.build();
        assertThat(((ZeroPadding2D) m.layers().get(0)).config().padding()).containsExactly(1, 2, 0, 1);
        Conv2D.Config conv = (Conv2D.Config) m.layers().get(1).config();
        assertThat(conv.kernelRegularizer()).isEqualTo(new Regularizer(0, 0.0005));
        assertThat(m.layers().get(2).config()).isEqualTo(new BatchNormalization.Config(3, 0.9, 1e-5, true, false));
        assertThat(m.layers().get(3).config()).isEqualTo(new ReLU.Config(6.0, 0, 0));
        assertThat(((Dense.Config) m.layers().get(5).config()).kernelRegularizer()).isEqualTo(Regularizer.l2Of(0.01));
        assertThat(m.outputShape()).containsExactly(2);
        // BN without scale: β, moving mean, moving variance
        assertThat(m.layers().get(2).parameterCount()).isEqualTo(12);
        List<String> refused = List.of(
                json.replace("\"axis\": [3]", "\"axis\": [1]"),
                json.replace("\"max_value\": 6.0, \"negative_slope\": 0.0", "\"max_value\": 6.0, \"negative_slope\": -1"),
                json.replace("\"gamma_regularizer\": null", "\"gamma_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": 0.1}}"),
                json.replace("{\"class_name\": \"L1L2\"", "{\"class_name\": \"OrthogonalRegularizer\""));
        for (String bad : refused) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                Sequential s = ModelJson.fromJson(bad);
                s.build();
            }).isInstanceOf(IllegalArgumentException.class).hasMessageMatching("(?s).*('bn'|'r'|'c'|layer).*");
        }
    }
}
