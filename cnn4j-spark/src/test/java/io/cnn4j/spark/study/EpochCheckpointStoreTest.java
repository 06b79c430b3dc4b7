package io.cnn4j.spark.study;

import io.cnn4j.data.Dataset;
import io.cnn4j.layers.Parameter;
import io.cnn4j.model.Sequential;
import io.cnn4j.study.BaseModel;
import io.cnn4j.study.EpochRecord;
import io.cnn4j.study.SyntheticImages;
import io.cnn4j.study.TrainingSpec;
import io.cnn4j.study.Variant;
import io.cnn4j.study.VariantFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Epoch-keyed checkpoints and the study files on a Hadoop FileSystem (file:// here), without Spark. */
class EpochCheckpointStoreTest {
    static final BaseModel SIMPLE = BaseModel.builtIn("simple-cnn", new int[]{12, 12, 1}, 4);
    static final Variant VARIANT = Variant.nominal("max", "dropout", "before", 0.25);

    static Sequential model(int steps) {
        Sequential m = VariantFactory.build(SIMPLE, VARIANT, 3, null);
        m.compile(new TrainingSpec(1, 16, 0.01).optimizer(), "categorical_crossentropy", "accuracy");
        Dataset d = SyntheticImages.generate("t", 32, 12, 12, 1, 4, 0.3, 1);
        for (int i = 0; i < steps; i++) {
            m.trainOnBatch(d.x(), d.oneHot());
        }
        return m;
    }

    @Test
    void keepsTheNewestEpochAndRestoresItExactly(@TempDir Path dir) throws Exception {
        HadoopStudyStorage storage = new HadoopStudyStorage(dir.toUri().toString(), Map.of());
        EpochCheckpointStore store = new EpochCheckpointStore(storage);
        EpochRecord e0 = new EpochRecord(0, 1.2, 0.4, 1.1, 0.5, 3.5), e1 = new EpochRecord(1, 0.9, 0.6, 1.0, 0.55, 3.25);
        store.save("t_seed3", model(1), List.of(e0));
        Sequential after2 = model(2);
        store.save("t_seed3", after2, List.of(e0, e1));
        // one complete file per epoch while it is the newest; no temporary files left
        assertThat(storage.list("checkpoints/t_seed3")).containsExactly("epoch-0002.cnn4j");
        Sequential fresh = model(0);
        assertThat(store.restore("t_seed3", fresh)).contains(List.of(e0, e1));
        List<Parameter> a = after2.parameters(), b = fresh.parameters();
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).value()).containsExactly(a.get(i).value());
        }
        assertThat(fresh.optimizer().iterations()).isEqualTo(2);
        assertThat(store.restore("other_seed0", model(0))).isEmpty();
        store.delete("t_seed3");
        assertThat(storage.list("checkpoints")).isEmpty();
    }

    @Test
    void aDamagedCheckpointIsReportedWithItsLocationAndTheWayOut(@TempDir Path dir) throws Exception {
        HadoopStudyStorage storage = new HadoopStudyStorage(dir.toUri().toString(), Map.of());
        storage.write("checkpoints/t_seed0/epoch-0001.cnn4j", "not a model".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> new EpochCheckpointStore(storage).restore("t_seed0", model(0)))
                .hasMessageContaining("epoch-0001.cnn4j").hasMessageContaining("delete the file");
    }

    @Test
    void appendsReadsListsAndReplacesWithoutSideFiles(@TempDir Path dir) throws Exception {
        HadoopStudyStorage storage = new HadoopStudyStorage(dir.toUri().toString(), Map.of());
        assertThat(storage.exists("results.jsonl")).isFalse();
        assertThat(storage.list("attempts")).isEmpty();
        storage.append("results.jsonl", "a\n".getBytes(StandardCharsets.UTF_8));
        storage.append("results.jsonl", "b\n".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(storage.read("results.jsonl", 100), StandardCharsets.UTF_8)).isEqualTo("a\nb\n");
        assertThatThrownBy(() -> storage.read("results.jsonl", 3)).hasMessageContaining("more than the 3");
        storage.write("results.jsonl", "c\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(dir.resolve("results.jsonl"))).isEqualTo("c\n");
        // the raw local file system: no .crc files next to what the local runner may also open
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("results.jsonl");
        }
    }
}
