package io.cnn4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.io.ModelFileException;
import io.cnn4j.layers.DropBlock2D;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Layer;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KerasModelsTest {
    @TempDir
    Path dir;

    static Path resource(String name) throws Exception {
        return Path.of(KerasModelsTest.class.getResource("/keras/" + name).toURI());
    }

    /** Checks a loaded fixture against the outputs of the script's independent PyTorch forward pass. */
    static void assertGivesExpected(Sequential m, String name) throws Exception {
        JsonNode ref;
        try (InputStream in = KerasModelsTest.class.getResourceAsStream("/keras/" + name + ".expected.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        ObjectMapper om = new ObjectMapper();
        int[] shape = om.convertValue(ref.get("input_shape"), int[].class);
        float[] x = om.convertValue(ref.get("input"), float[].class);
        float[] expected = om.convertValue(ref.get("output"), float[].class);
        float[] y = m.predict(new Tensor(x, shape)).data();
        assertThat(TestModels.maxAbsDiff(expected, y)).as(name).isLessThanOrEqualTo(1e-5f);
    }

    @Test
    void keras2FullModelH5Loads() throws Exception {
        Sequential m = KerasModels.load(resource("keras2_full.h5"));
        assertThat(m.layers()).extracting(Layer::name).containsExactly("conv2d", "max_pooling2d", "dropout", "flatten", "dense");
        assertGivesExpected(m, "keras2_full");
    }

    @Test
    void keras3LegacyH5Loads() throws Exception {
        assertGivesExpected(KerasModels.load(resource("keras3_legacy.h5")), "keras3_legacy");
    }

    @Test
    void keras2SaveWeightsWithToJsonLoads() throws Exception {
        Sequential m = KerasModels.load(resource("keras2_weights.h5"), resource("keras2_weights.json"));
        assertThat(m.name()).isEqualTo("sequential_1");
        assertGivesExpected(m, "keras2_weights");
    }

    @Test
    void keras3ArchiveLoads() throws Exception {
        Sequential m = KerasModels.load(resource("keras3.keras"));
        assertThat(m.layers()).extracting(Layer::className).containsExactly("Conv2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense");
        assertGivesExpected(m, "keras3");
    }

    @Test
    void keras3ArchiveWithBatchNormalizationPaddingReluAndGlobalPoolingLoads() throws Exception {
        Sequential m = KerasModels.load(resource("keras3_modern.keras"));
        assertThat(m.layers()).extracting(Layer::className).containsExactly("ZeroPadding2D", "Conv2D", "BatchNormalization", "ReLU",
                "Conv2D", "BatchNormalization", "ReLU", "GlobalAveragePooling2D", "Dense", "BatchNormalization", "ReLU", "Dense");
        assertGivesExpected(m, "keras3_modern");
    }

    @ParameterizedTest
    @ValueSource(strings = {".h5", ".keras"})
    void everyKerasLayerRoundTrips(String ext) throws Exception {
        for (Map.Entry<String, Sequential> e : TestModels.all().entrySet()) {
            Sequential m = e.getValue();
            Path f = dir.resolve(e.getKey() + ext);
            KerasModels.save(m, f);
            Sequential back = KerasModels.load(f);
            assertSameModel(m, back, e.getKey() + ext);
        }
    }

    @Test
    void saveWeightsAndToJsonRoundTrip() throws Exception {
        for (Map.Entry<String, Sequential> e : TestModels.all().entrySet()) {
            Sequential m = e.getValue();
            Path w = dir.resolve(e.getKey() + ".weights.h5");
            Path j = dir.resolve(e.getKey() + ".json");
            KerasModels.saveWeights(m, w);
            Files.writeString(j, KerasModels.toJson(m));
            assertSameModel(m, KerasModels.load(w, j), e.getKey());
        }
    }

    @Test
    void keras3SaveWeightsFileLoadsWithItsArchitecture() throws Exception {
        // the model.weights.h5 of a .keras archive is what Keras 3's save_weights("x.weights.h5") writes
        Path weights = dir.resolve("x.weights.h5");
        Path json = dir.resolve("x.json");
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(resource("keras3_modern.keras")))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().equals("model.weights.h5")) {
                    Files.write(weights, z.readAllBytes());
                } else if (e.getName().equals("config.json")) {
                    Files.write(json, z.readAllBytes());
                }
            }
        }
        assertGivesExpected(KerasModels.load(weights, json), "keras3_modern");
    }

    static void assertSameModel(Sequential m, Sequential back, String what) {
        assertThat(back.name()).as(what).isEqualTo(m.name());
        assertThat(back.layers()).extracting(Layer::name).containsExactlyElementsOf(m.layers().stream().map(Layer::name).toList());
        assertThat(back.layers()).extracting(Layer::config).containsExactlyElementsOf(m.layers().stream().map(Layer::config).toList());
        for (int i = 0; i < m.layers().size(); i++) {
            assertThat(back.layers().get(i).outputShape()).isEqualTo(m.layers().get(i).outputShape());
        }
        assertThat(back.parameterCount()).isEqualTo(m.parameterCount());
        Tensor x = TestModels.input(m, 4, 3);
        assertThat(TestModels.maxAbsDiff(m.predict(x.copy()).data(), back.predict(x).data())).as(what).isLessThanOrEqualTo(1e-6f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"meta.h5", "meta.keras"})
    void cnn4jMetadataTravelsInTheFile(String name) throws Exception {
        Sequential m = TestModels.all().get("conv-relu-maxpool-dropout-dense-softmax");
        com.fasterxml.jackson.databind.node.ObjectNode meta = new ObjectMapper().createObjectNode();
        meta.put("dataset", "fashion-mnist");
        meta.putArray("class_names").add("a").add("b");
        Path f = dir.resolve(name);
        KerasModels.save(m, meta, f);
        assertThat(KerasModels.read(f).metadata()).isEqualTo(meta);
        assertThat(KerasModels.read(resource("keras3.keras")).metadata().isEmpty()).isTrue();
    }

    @Test
    void h5ExportHasKerasLayout() throws Exception {
        Sequential m = TestModels.all().get("conv-relu-maxpool-dropout-dense-softmax");
        Path f = dir.resolve("m.h5");
        KerasModels.save(m, f);
        try (HdfFile h5 = new HdfFile(f)) {
            assertThat(h5.getAttribute("keras_version").getData()).isEqualTo(KerasModels.KERAS2_VERSION);
            JsonNode config = new ObjectMapper().readTree((String) h5.getAttribute("model_config").getData());
            assertThat(config.at("/config/layers/0/config/batch_input_shape").toString()).isEqualTo("[null,9,7,3]");
            assertThat((String[]) h5.getByPath("model_weights").getAttribute("layer_names").getData())
                    .containsExactly("conv2d", "max_pooling2d", "dropout", "flatten", "dense");
            assertThat((String[]) h5.getByPath("model_weights/conv2d").getAttribute("weight_names").getData())
                    .containsExactly("conv2d/kernel:0", "conv2d/bias:0");
            Dataset k = h5.getDatasetByPath("model_weights/conv2d/conv2d/kernel:0");
            assertThat(k.getDimensions()).containsExactly(3, 3, 3, 4); // channels-last kernel (kh, kw, C, F)
        }
    }

    @Test
    void kerasArchiveHasKeras3Layout() throws Exception {
        Sequential m = TestModels.all().get("conv-noiseshape-dropout-softmax4d-maxpool-same-dense-linear");
        Path f = dir.resolve("m.keras");
        KerasModels.save(m, f);
        byte[] weights = null;
        JsonNode config = null;
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(f))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().equals("model.weights.h5")) {
                    weights = z.readAllBytes();
                } else if (e.getName().equals("config.json")) {
                    config = new ObjectMapper().readTree(z.readAllBytes());
                }
            }
        }
        assertThat(config.get("module").asText()).isEqualTo("keras");
        assertThat(config.at("/config/layers/1/module").asText()).isEqualTo("keras.layers");
        try (HdfFile h5 = HdfFile.fromBytes(weights)) {
            // two Conv2D layers: "conv2d" and "conv2d_1" whatever their names
            assertThat(h5.getDatasetByPath("layers/conv2d/vars/0").getDimensions()).containsExactly(5, 3, 2, 3);
            assertThat(h5.getDatasetByPath("layers/conv2d_1/vars/1").getDimensions()).containsExactly(2);
            assertThat(h5.getDatasetByPath("layers/dense/vars/0").getDimensions()).containsExactly(7 * 1 * 2, 3);
        }
    }

    @Test
    void cnn4jOnlyLayersAreRefusedWithTheirName() {
        Sequential m = new Sequential("d", 1).add(new DropBlock2D(0.1, 3, 1L).name("db").inputShape(6, 6, 1)).add(new Flatten()).add(new Dense(2));
        m.build();
        assertThatThrownBy(() -> KerasModels.save(m, dir.resolve("x.keras")))
                .hasMessageStartingWith("layer 'db' (DropBlock2D) has no Keras counterpart");
        assertThat(dir.resolve("x.keras")).doesNotExist();
    }

    @Test
    void unsupportedKerasLayerIsNamedInOneLine() throws Exception {
        Path src = resource("keras3.keras");
        Path f = dir.resolve("lstm.keras");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(src)); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(f))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] b = in.readAllBytes();
                if (e.getName().equals("config.json")) {
                    b = new String(b).replaceFirst("\"class_name\": \"Dense\"", "\"class_name\": \"LSTM\"").getBytes();
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(b);
            }
        }
        assertThatThrownBy(() -> KerasModels.load(f)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("'dense' (LSTM) is not supported by cnn4j").hasMessageNotContaining("\n");
    }

    @Test
    void missingWeightIsNamed() throws Exception {
        Sequential m = TestModels.all().get("conv-relu-maxpool-dropout-dense-softmax");
        Path w = dir.resolve("w.h5");
        Path j = dir.resolve("w.json");
        KerasModels.saveWeights(m, w);
        Files.writeString(j, KerasModels.toJson(m).replace("\"units\":5", "\"units\":6"));
        assertThatThrownBy(() -> KerasModels.load(w, j)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("weight dense dense/kernel:0 has shape [24, 5], the layer needs [24, 6]");
    }
}
