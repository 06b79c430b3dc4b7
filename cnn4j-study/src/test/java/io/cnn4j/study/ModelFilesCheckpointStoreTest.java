package io.cnn4j.study;

import io.cnn4j.data.Dataset;
import io.cnn4j.layers.Parameter;
import io.cnn4j.model.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelFilesCheckpointStoreTest {
    static final BaseModel SIMPLE = BaseModel.builtIn("simple-cnn", new int[]{12, 12, 1}, 4);

    static Sequential trained(Variant v) {
        Sequential m = VariantFactory.build(SIMPLE, v, 2, null);
        m.compile(new TrainingSpec(1, 16, 0.01).optimizer(), "categorical_crossentropy", "accuracy");
        Dataset d = SyntheticImages.generate("t", 32, 12, 12, 1, 4, 0.3, 1);
        m.trainOnBatch(d.x(), d.oneHot());
        m.trainOnBatch(d.x(), d.oneHot());
        return m;
    }

    @Test
    void restoresWeightsOptimizerStateAndEpochRecordsForEveryKindOfVariant(@TempDir Path dir) {
        ModelFilesCheckpointStore store = new ModelFilesCheckpointStore(dir);
        List<EpochRecord> epochs = List.of(new EpochRecord(0, 1.2, 0.4, 1.1, 0.5, 3.5), new EpochRecord(1, 0.9, 0.6, 1.0, 0.55, 3.25));
        for (Variant v : List.of(Variant.nominal("max", "dropout", "after", 0.25), Variant.pwp(0.3, 0.3, "nominal"),
                Variant.nominal("avg", "dropblock", "before", 0.2))) {
            Sequential original = trained(v);
            store.save(v.id(), original, epochs);
            Sequential fresh = VariantFactory.build(SIMPLE, v, 2, null);
            fresh.compile(new TrainingSpec(1, 16, 0.01).optimizer(), "categorical_crossentropy", "accuracy");
            Optional<List<EpochRecord>> restored = store.restore(v.id(), fresh);
            assertThat(restored).contains(epochs);
            List<Parameter> a = original.parameters(), b = fresh.parameters();
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).value()).as(v.name() + " " + a.get(i)).containsExactly(a.get(i).value());
            }
            List<float[]> sa = original.optimizer().state(a), sb = fresh.optimizer().state(b);
            for (int i = 0; i < sa.size(); i++) {
                assertThat(sb.get(i)).containsExactly(sa.get(i));
            }
            assertThat(fresh.optimizer().iterations()).isEqualTo(2);
        }
        assertThat(store.restore("missing", trained(Variant.none("max")))).isEmpty();
    }

    @Test
    void refusesACheckpointOfAnotherArchitecture(@TempDir Path dir) {
        ModelFilesCheckpointStore store = new ModelFilesCheckpointStore(dir);
        store.save("t", trained(Variant.none("max")), List.of(new EpochRecord(0, 1, 0.5, 1, 0.5, 1)));
        BaseModel vgg = BaseModel.builtIn("vgg-like", new int[]{16, 16, 1}, 4);
        Sequential other = VariantFactory.build(vgg, Variant.none("max"), 2, null);
        other.compile(new TrainingSpec(1, 16, 0.01).optimizer(), "categorical_crossentropy", "accuracy");
        assertThatThrownBy(() -> store.restore("t", other)).hasMessageContaining("t.cnn4j").hasMessageContaining("weight");
    }
}
