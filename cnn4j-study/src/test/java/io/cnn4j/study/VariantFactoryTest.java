package io.cnn4j.study;

import io.cnn4j.layers.AveragePooling2D;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.LayerConfig;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.Parameter;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.model.Sequential;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class VariantFactoryTest {
    static final BaseModel VGG = BaseModel.builtIn("vgg-like", new int[]{16, 16, 1}, 4);

    static List<String> classNames(Sequential m) {
        return m.layers().stream().map(Layer::className).toList();
    }

    @Test
    void variantsPlaceDropoutAroundEveryPoolAndKeepTheDenseDropout() {
        Sequential before = VariantFactory.build(VGG, Variant.nominal("max", "dropout", "before", 0.25), 0, null);
        assertThat(classNames(before)).containsExactly("Conv2D", "Conv2D", "Dropout", "MaxPooling2D", "Conv2D", "Conv2D", "Dropout",
                "MaxPooling2D", "Flatten", "Dense", "Dropout", "Dense");
        Sequential spatialAfterAvg = VariantFactory.build(VGG, Variant.nominal("avg", "spatial", "after", 0.3), 0, null);
        assertThat(classNames(spatialAfterAvg)).containsExactly("Conv2D", "Conv2D", "AveragePooling2D", "SpatialDropout2D", "Conv2D",
                "Conv2D", "AveragePooling2D", "SpatialDropout2D", "Flatten", "Dense", "Dropout", "Dense");
        assertThat(((Dropout) spatialAfterAvg.layers().get(3)).rate()).isEqualTo(0.3);
        assertThat(((Dropout) spatialAfterAvg.layers().get(10)).rate()).isEqualTo(0.5);
        Sequential none = VariantFactory.build(VGG, Variant.none("max"), 0, null);
        assertThat(classNames(none)).containsExactly("Conv2D", "Conv2D", "MaxPooling2D", "Conv2D", "Conv2D", "MaxPooling2D", "Flatten",
                "Dense", "Dropout", "Dense");
        assertThat(none.layers().get(2)).isInstanceOf(MaxPooling2D.class);
        assertThat(spatialAfterAvg.layers().get(2)).isInstanceOf(AveragePooling2D.class);
        assertThat(spatialAfterAvg.layers().get(3)).isInstanceOf(SpatialDropout2D.class);
    }

    @Test
    void matchedRateZeroesPooledUnitsAsOftenAsTheAfterRate() {
        Variant m = Variant.matchedBefore("max", 0.25, 4);
        assertThat(m.rate()).isCloseTo(Math.sqrt(Math.sqrt(0.25)), within(1e-12));
        assertThat(m.pooledZeroRate(4)).isCloseTo(0.25, within(1e-12));
        assertThat(Variant.nominal("max", "dropout", "before", 0.25).pooledZeroRate(4)).isCloseTo(0.25 * 0.25 * 0.25 * 0.25, within(1e-15));
        assertThat(Variant.nominal("max", "spatial", "before", 0.25).pooledZeroRate(4)).isEqualTo(0.25);
        List<Variant> both = VariantFactory.standard(List.of("max", "avg"), 0.25, "both", 4);
        // per pooling: none, before, matched before, after, spatial before/after, dropblock before/after; pwp nominal + matched for max
        assertThat(both).hasSize(18).doesNotHaveDuplicates();
        assertThat(VariantFactory.standard(List.of("max"), 0.25, "nominal", 4)).hasSize(8);
        assertThat(both.stream().map(Variant::id).distinct()).hasSize(18);
        assertThatThrownBy(() -> Variant.nominal("max", "dropout", "after", 1.0)).hasMessageContaining("drop probability").hasMessageContaining("1.0");
        assertThatThrownBy(() -> Variant.nominal("min", "dropout", "after", 0.2)).hasMessageContaining("'min'");
    }

    @Test
    void sameSeedGivesIdenticalInitialWeightsInEverySharedLayerAcrossVariants() {
        List<Variant> all = VariantFactory.standard(List.of("max", "avg"), 0.25, "both", 4);
        Sequential reference = VariantFactory.build(VGG, Variant.none("max"), 7, null);
        List<Parameter> ref = reference.parameters();
        for (Variant v : all) {
            List<Parameter> p = VariantFactory.build(VGG, v, 7, null).parameters();
            assertThat(p).hasSameSizeAs(ref);
            for (int i = 0; i < ref.size(); i++) {
                assertThat(p.get(i).shape()).isEqualTo(ref.get(i).shape());
                assertThat(p.get(i).value()).as("%s parameter %s", v.name(), ref.get(i)).containsExactly(ref.get(i).value());
            }
        }
        // and a different seed gives different weights (the check above can fail)
        Sequential other = VariantFactory.build(VGG, Variant.none("max"), 8, null);
        assertThat(other.parameters().get(0).value()).isNotEqualTo(ref.get(0).value());
    }

    @Test
    void baseModelFromKerasStyleJson(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Sequential simple = io.cnn4j.model.Architectures.simpleCnn(new int[]{12, 12, 1}, 4, 0);
        simple.build();
        java.nio.file.Path f = dir.resolve("simple.json");
        java.nio.file.Files.writeString(f, io.cnn4j.io.ModelJson.toJson(simple));
        BaseModel fromJson = BaseModel.resolve(f.toString(), new int[]{12, 12, 1}, 4);
        assertThat(fromJson.layers()).isEqualTo(BaseModel.builtIn("simple-cnn", new int[]{12, 12, 1}, 4).layers());
        assertThatThrownBy(() -> BaseModel.resolve(f.toString(), new int[]{12, 12, 1}, 10)).hasMessageContaining("10 classes");
        assertThatThrownBy(() -> BaseModel.resolve(f.toString(), new int[]{16, 16, 1}, 4)).hasMessageContaining("(16, 16, 1)");
    }

    @Test
    void pwpVariantFusesDropoutAndMaxPool() {
        Sequential pwp = VariantFactory.build(VGG, Variant.pwp(0.3, 0.3, "nominal"), 0, null);
        assertThat(classNames(pwp)).containsExactly("Conv2D", "Conv2D", "MaxPoolingDropout2D", "Conv2D", "Conv2D", "MaxPoolingDropout2D",
                "Flatten", "Dense", "Dropout", "Dense");
        assertThatThrownBy(() -> new Variant("avg", "pwp", "before", 0.3, 0.3, "nominal")).hasMessageContaining("only with max");
        Sequential block = VariantFactory.build(VGG, Variant.nominal("avg", "dropblock", "after", 0.2), 0, null);
        assertThat(classNames(block)).containsExactly("Conv2D", "Conv2D", "AveragePooling2D", "DropBlock2D", "Conv2D", "Conv2D",
                "AveragePooling2D", "DropBlock2D", "Flatten", "Dense", "Dropout", "Dense");
    }

    @Test
    void keptDenseDropoutDrawsTheSameMasksInEveryVariantOfASeed() {
        Dropout none = (Dropout) VariantFactory.build(VGG, Variant.none("max"), 3, null).layers().get(8);
        Dropout after = (Dropout) VariantFactory.build(VGG, Variant.nominal("avg", "spatial", "after", 0.3), 3, null).layers().get(10);
        Dropout otherSeed = (Dropout) VariantFactory.build(VGG, Variant.none("max"), 4, null).layers().get(8);
        assertThat(none.rate()).isEqualTo(0.5);
        assertThat(none.seed()).isNotNull().isEqualTo(after.seed()).isNotEqualTo(otherSeed.seed());
    }

    @Test
    void variantLayersAreFreshInstancesEachTime() {
        Variant v = Variant.nominal("max", "dropout", "after", 0.25);
        Sequential a = VariantFactory.build(VGG, v, 1, null);
        Sequential b = VariantFactory.build(VGG, v, 1, null);
        for (int i = 0; i < a.layers().size(); i++) {
            assertThat(a.layers().get(i)).isNotSameAs(b.layers().get(i));
        }
        List<LayerConfig> configs = VariantFactory.layers(VGG, v, 1);
        assertThat(configs).hasSize(a.layers().size());
    }
}
