package io.cnn4j.study;

import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.ReLU;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Dropout before vs after BatchNormalization: the variants vgg-like-bn gives, and the variance-shift check against its prediction. */
class BatchNormPlacementsTest {
    static final BaseModel BN = BaseModel.builtIn("vgg-like-bn", new int[]{16, 16, 1}, 4);

    static List<String> classNames(Sequential m) {
        return m.layers().stream().map(Layer::className).toList();
    }

    @Test
    void dropoutGoesRightBeforeEveryConvBnOrRightAfterItsRelu() {
        Sequential before = VariantFactory.build(BN, Variant.nominal("max", "dropout", "before-bn", 0.1), 0, null);
        assertThat(classNames(before)).containsExactly(
                "Conv2D", "Dropout", "BatchNormalization", "ReLU", "Conv2D", "Dropout", "BatchNormalization", "ReLU", "MaxPooling2D",
                "Conv2D", "Dropout", "BatchNormalization", "ReLU", "Conv2D", "Dropout", "BatchNormalization", "ReLU", "MaxPooling2D",
                "Flatten", "Dense", "Dropout", "Dense");
        Sequential after = VariantFactory.build(BN, Variant.nominal("avg", "spatial", "after-bn", 0.1), 0, null);
        assertThat(classNames(after)).containsExactly(
                "Conv2D", "BatchNormalization", "ReLU", "SpatialDropout2D", "Conv2D", "BatchNormalization", "ReLU", "SpatialDropout2D",
                "AveragePooling2D", "Conv2D", "BatchNormalization", "ReLU", "SpatialDropout2D", "Conv2D", "BatchNormalization", "ReLU",
                "SpatialDropout2D", "AveragePooling2D", "Flatten", "Dense", "Dropout", "Dense");
        // the j-th BN site draws from the same mask seed before and after (paired randomness), the dense dropout is kept
        Sequential spatialBefore = VariantFactory.build(BN, Variant.nominal("avg", "spatial", "before-bn", 0.1), 0, null);
        assertThat(((SpatialDropout2D) spatialBefore.layers().get(1)).seed()).isEqualTo(((SpatialDropout2D) after.layers().get(3)).seed());
        assertThat(((Dropout) after.layers().get(20)).rate()).isEqualTo(0.5);
        // the pooling placements still work on the BN base model
        assertThat(classNames(VariantFactory.build(BN, Variant.nominal("max", "dropout", "after", 0.25), 0, null)))
                .containsSubsequence("MaxPooling2D", "Dropout", "Conv2D", "BatchNormalization");
        assertThatThrownBy(() -> VariantFactory.build(VariantFactoryTest.VGG, Variant.nominal("max", "dropout", "before-bn", 0.1), 0, null))
                .hasMessageContaining("has none");
        assertThatThrownBy(() -> Variant.nominal("max", "dropblock", "before-bn", 0.1)).hasMessageContaining("before-bn");
        assertThat(Variant.nominal("max", "spatial", "after-bn", 0.1).id()).isEqualTo("max_spatial-after-bn_0.1");
        assertThat(new StudyConfig("quick", new DataSpec("synthetic", 10, 10, 0.1), "vgg-like-bn", List.of("max"), 0.1, "nominal",
                List.of("dropout-before-bn", "spatial-after-bn"), null, null, 1, new TrainingSpec(1, 8, 0.001), null, 1,
                java.nio.file.Path.of("x"), "cmd").variantList(4)).extracting(Variant::id)
                .containsExactly("max_dropout-before-bn_0.1", "max_spatial-after-bn_0.1");
    }

    static Tensor positive(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) (0.2 + r.nextDouble());
        }
        return t;
    }

    static Sequential model(Layer... layers) {
        Sequential m = new Sequential(3);
        for (Layer l : layers) {
            m.add(l);
        }
        m.build(8, 8, 4);
        m.compile(new SGD(0.01), "categorical_crossentropy");
        return m;
    }

    @Test
    void measuredVarianceShiftMatchesLiEtAlsPrediction() {
        double p = 0.3;
        // dropout → BN: Var_train = Var(x) + (p/q)·E[x²]
        Sequential direct = model(new Conv2D(4, 1, 1), new Dropout(p), new BatchNormalization(), new ReLU());
        Tensor x = positive(1, 200, 8, 8, 4);
        List<VarianceShift.Row> rows = VarianceShift.measure("direct", direct, x, 7);
        assertThat(rows).hasSize(1);
        VarianceShift.Row r = rows.get(0);
        assertThat(r.path()).isEqualTo("dropout → BN");
        assertThat(r.predictedRatio()).isGreaterThan(1.2);
        assertThat(r.measuredRatio()).isCloseTo(r.predictedRatio(), within(0.03 * r.predictedRatio()));
        assertThat(r.isolatedRatio()).isEqualTo(r.measuredRatio()); // one dropout: the same pass
        // ReLU → dropout → conv → BN: through the convolution, element-wise and spatial masks
        for (boolean spatial : new boolean[]{false, true}) {
            Sequential through = model(new Conv2D(6, 3, 3).padding("same"), new BatchNormalization(), new ReLU(),
                    spatial ? new SpatialDropout2D(p) : new Dropout(p), new Conv2D(5, 3, 3), new BatchNormalization());
            Tensor xs = positive(2, spatial ? 800 : 200, 8, 8, 4);
            List<VarianceShift.Row> t = VarianceShift.measure("through", through, xs, 9);
            assertThat(t).extracting(VarianceShift.Row::path).containsExactly("no dropout before it", "dropout → conv → BN");
            assertThat(t.get(0).measuredRatio()).isEqualTo(1.0);
            assertThat(t.get(0).isolatedRatio()).isNaN();
            VarianceShift.Row second = t.get(1);
            assertThat(second.predictedRatio()).isGreaterThan(1.02);
            assertThat(second.measuredRatio()).as("spatial %s", spatial)
                    .isCloseTo(second.predictedRatio(), within((spatial ? 0.1 : 0.03) * second.predictedRatio()));
        }
    }

    @Test
    void reportPartHasAParagraphATableAndAChart() {
        Sequential direct = model(new Conv2D(4, 1, 1), new Dropout(0.2), new BatchNormalization(), new ReLU());
        ReportWriter.Part part = VarianceShift.reportPart(VarianceShift.measure("direct", direct, positive(1, 20, 8, 8, 4), 7), 0.2);
        assertThat(part.blocks()).extracting(b -> b[0]).containsExactly("h2", "p", "table", "img");
        assertThat(part.charts().get("variance-shift.png")).isNotEmpty();
        assertThat(VarianceShift.reportPart(List.of(), 0.2).blocks()).isEmpty();
        assertThat(BatchNormalization.class).isNotNull();
    }
}
