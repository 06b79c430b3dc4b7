package io.cnn4j.io;

import io.cnn4j.kernels.ScalarGemm;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.layers.SpatialDropout2D;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.Sequential;
import io.cnn4j.model.Utils;
import io.cnn4j.optim.Adam;
import io.cnn4j.optim.SGD;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelFilesTest {
    @TempDir
    Path dir;

    static Sequential small(long seed) {
        Sequential m = new Sequential(seed).gemm(new ScalarGemm());
        m.add(new Conv2D(4, 3, 3).activation("relu").padding("same").inputShape(8, 8, 1));
        m.add(new MaxPooling2D(2, 2));
        m.add(new SpatialDropout2D(0.2));
        m.add(new Flatten());
        m.add(new Dense(8, "relu"));
        m.add(new Dropout(0.3, new int[]{Dropout.NONE, 8}, 5L));
        m.add(new Dense(3, "softmax"));
        return m;
    }

    static Tensor data(int n, long seed) {
        return uniform(seed, n, 8, 8, 1);
    }

    /** Values uniform in [0, 1) from {@code seed}. */
    static Tensor uniform(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.zeros(shape);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) r.nextDouble();
        }
        return x;
    }

    static Tensor labels(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = r.nextInt(3);
        }
        return Utils.toCategorical(l, 3);
    }

    @Test
    void saveLoadGivesIdenticalPredictionsArchitectureAndOptimizerState() throws IOException {
        Sequential m = small(11);
        m.compile(new Adam(0.01), "categorical_crossentropy", "accuracy");
        Tensor x = data(20, 1);
        m.fit(x, labels(20, 2), FitOptions.defaults().batchSize(5).epochs(1).verbose(0));
        Path f = dir.resolve("m.cnn4j");
        m.save(f);
        // same GEMM backend as the saved model: bit-identical predictions (backends differ in rounding)
        Sequential back = ModelFiles.read(f, new ScalarGemm()).model();
        assertThat(back.predict(x).data()).isEqualTo(m.predict(x).data());
        Sequential viaSequential = Sequential.load(f); // default backend: same weights
        for (int i = 0; i < m.parameters().size(); i++) {
            assertThat(viaSequential.parameters().get(i).value()).isEqualTo(m.parameters().get(i).value());
        }
        assertThat(back.summary()).isEqualTo(m.summary());
        assertThat(back.seed()).isEqualTo(11);
        for (int i = 0; i < m.layers().size(); i++) {
            Layer a = m.layers().get(i), b = back.layers().get(i);
            assertThat(b.name()).isEqualTo(a.name());
            assertThat(b.config()).isEqualTo(a.config());
        }
        assertThat(back.optimizer().config()).isEqualTo(m.optimizer().config());
        assertThat(back.optimizer().iterations()).isEqualTo(4);
        for (int i = 0; i < m.optimizer().state(m.parameters()).size(); i++) {
            assertThat(back.optimizer().state(back.parameters()).get(i)).isEqualTo(m.optimizer().state(m.parameters()).get(i));
        }
        assertThat(back.loss().name()).isEqualTo("categorical_crossentropy");
        assertThat(back.metrics()).containsExactly("accuracy");
        // saving again gives the same bytes
        Path g = dir.resolve("again.cnn4j");
        ModelFiles.save(back, g);
        assertThat(Files.readAllBytes(g)).isEqualTo(Files.readAllBytes(f));
        // no temp files are left behind
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("m.cnn4j", "again.cnn4j");
        }
    }

    @Test
    void uncompiledModelAndSgdWithoutMomentumRoundTrip() throws IOException {
        Sequential m = small(3);
        m.build();
        Path f = dir.resolve("u.cnn4j");
        ModelFiles.save(m, f);
        SavedModel s = ModelFiles.read(f, new ScalarGemm());
        assertThat(s.model().optimizer()).isNull();
        assertThat(s.training()).isEmpty();
        Tensor x = data(3, 4);
        assertThat(s.model().predict(x).data()).isEqualTo(m.predict(x).data());
        Sequential sgd = small(3);
        sgd.compile(new SGD(0.1), "categorical_crossentropy");
        ModelFiles.save(sgd, f);
        assertThat(ModelFiles.load(f).optimizer().config()).isEqualTo(new SGD.Config(0.1, 0, false, 0));
    }

    @Test
    void headerLayoutIsAsDocumented() throws IOException {
        Sequential m = small(1);
        m.build();
        byte[] b = ModelFiles.encode(m, null, null);
        assertThat(new String(b, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("CNN4JMDL");
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(bb.getInt(8)).isEqualTo(1);
        int j = bb.getInt(12);
        long d = bb.getLong(16);
        assertThat(d).isEqualTo(4 * m.parameterCount());
        assertThat(b.length).isEqualTo(24 + j + d + 32);
        String json = new String(b, 24, j, StandardCharsets.UTF_8);
        assertThat(json).contains("\"format\" : \"cnn4j-model\"").contains("\"conv2d/kernel\"").contains("\"batch_shape\" : [ null, 8, 8, 1 ]");
        // first weight value is the conv kernel's first float, little-endian
        assertThat(bb.getFloat(24 + j)).isEqualTo(m.parameters().get(0).value()[0]);
    }

    @Test
    void tamperedTruncatedAndForeignFilesGiveClearErrors() throws IOException {
        Sequential m = small(2);
        m.compile(new SGD(0.1, 0.9, false, 0), "categorical_crossentropy");
        Path f = dir.resolve("t.cnn4j");
        ModelFiles.save(m, f);
        byte[] ok = Files.readAllBytes(f);

        byte[] flipped = ok.clone();
        flipped[ok.length - 100] ^= 1; // a weight bit
        Path p1 = Files.write(dir.resolve("flipped.cnn4j"), flipped);
        assertThatThrownBy(() -> ModelFiles.load(p1)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining(p1.toString()).hasMessageContaining("checksum mismatch");

        Path p2 = Files.write(dir.resolve("cut.cnn4j"), java.util.Arrays.copyOf(ok, ok.length - 7));
        assertThatThrownBy(() -> ModelFiles.load(p2)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining(p2.toString()).hasMessageContaining("sizes do not match").hasMessageContaining("truncated");

        byte[] magic = ok.clone();
        magic[0] = 'X';
        Path p3 = Files.write(dir.resolve("magic.cnn4j"), magic);
        assertThatThrownBy(() -> ModelFiles.load(p3)).hasMessageContaining("not a cnn4j model file");

        byte[] version = ok.clone();
        version[8] = 9;
        Path p4 = Files.write(dir.resolve("v.cnn4j"), version);
        assertThatThrownBy(() -> ModelFiles.load(p4)).hasMessageContaining("format version 9 is not supported");

        Path p5 = Files.write(dir.resolve("tiny.cnn4j"), new byte[10]);
        assertThatThrownBy(() -> ModelFiles.load(p5)).hasMessageContaining("truncated: 10 bytes");
        assertThatThrownBy(() -> ModelFiles.load(dir.resolve("missing.cnn4j"))).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("no such file");
    }

    @Test
    void doctoredHeaderWithValidChecksumIsCheckedAgainstTheArchitecture() throws IOException {
        Sequential m = small(2);
        m.build();
        byte[] ok = ModelFiles.encode(m, null, null);
        // a huge Dense layer must be refused before anything is allocated
        Path huge = Files.write(dir.resolve("huge.cnn4j"), FuzzSupport.rewriteHeader(ok, h -> h.replace("\"units\" : 8", "\"units\" : 2000000000")));
        assertThatThrownBy(() -> ModelFiles.load(huge)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("the architecture needs").hasMessageContaining("bytes of weights");
        Path shape = Files.write(dir.resolve("shape.cnn4j"), FuzzSupport.rewriteHeader(ok, h -> h.replace("\"units\" : 8", "\"units\" : 7")));
        assertThatThrownBy(() -> ModelFiles.load(shape)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("dense/kernel").hasMessageContaining("shape");
        Path layer = Files.write(dir.resolve("layer.cnn4j"), FuzzSupport.rewriteHeader(ok, h -> h.replace("\"Flatten\"", "\"Reshape\"")));
        assertThatThrownBy(() -> ModelFiles.load(layer)).hasMessageContaining("'flatten' (Reshape) is not supported");
    }

    static String resource(String name) throws IOException {
        try (InputStream in = ModelFilesTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void keras3ToJsonLoads() throws IOException {
        Sequential m = ModelJson.fromJson(resource("keras3-vgg-like.json"), 7);
        m.compile(new Adam(), "categorical_crossentropy", "accuracy");
        assertThat(m.inputShape()).containsExactly(28, 28, 1);
        assertThat(m.layers()).extracting(Layer::className).containsExactly("Conv2D", "Conv2D", "MaxPooling2D", "Dropout", "Conv2D",
                "SpatialDropout2D", "AveragePooling2D", "Flatten", "Dense", "Dropout", "Dense", "Activation");
        assertThat(m.layers()).extracting(Layer::name).startsWith("conv2d", "conv2d_1", "max_pooling2d", "dropout", "conv2d_2");
        // Keras' summary count for this stack: 320 + 9248 + 18496 + 409856 + 2570
        assertThat(m.parameterCount()).isEqualTo(320 + 9248 + 18496 + 409856 + 2570);
        assertThat(m.outputShape()).containsExactly(10);
        // our JSON of it reads back to the same architecture
        Sequential again = ModelJson.fromJson(ModelJson.toJson(m));
        again.build();
        assertThat(again.summary()).isEqualTo(m.summary());
        assertThat(again.seed()).isEqualTo(7);
    }

    @Test
    void keras2ToJsonLoads() throws IOException {
        Sequential m = ModelJson.fromJson(resource("keras2-simple.json"));
        m.build();
        assertThat(m.name()).isEqualTo("sequential_1");
        assertThat(m.parameterCount()).isEqualTo(160 + 14 * 14 * 16 * 10 + 10);
        Dropout d = (Dropout) m.layers().get(2);
        assertThat(d.config()).isEqualTo(new Dropout.Config(0.25, new int[]{Dropout.NONE, 1, 1, 16}, 42L));
        assertThat(((Conv2D) m.layers().get(0)).config().padding()).isEqualTo(io.cnn4j.kernels.Padding.SAME);
    }

    @Test
    void unsupportedLayersAndOptionsAreNamed() throws IOException {
        String layerNorm = resource("keras3-batchnorm.json").replace("\"BatchNormalization\"", "\"LayerNormalization\"");
        assertThatThrownBy(() -> ModelJson.fromJson(layerNorm))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 2 'batch_normalization' (LayerNormalization) is not supported")
                .hasMessageContaining("Conv2D, MaxPooling2D");
        String dilated = resource("keras2-simple.json").replace("\"dilation_rate\": [1, 1]", "\"dilation_rate\": [2, 2]");
        assertThatThrownBy(() -> ModelJson.fromJson(dilated)).hasMessageContaining("'conv2d' (Conv2D): dilation_rate [2,2] is not supported");
        String cf = resource("keras2-simple.json").replace("\"data_format\": \"channels_last\", \"dilation", "\"data_format\": \"channels_first\", \"dilation");
        assertThatThrownBy(() -> ModelJson.fromJson(cf)).hasMessageContaining("channels_first");
        assertThatThrownBy(() -> ModelJson.fromJson("{\"class_name\": \"Functional\", \"config\": {}}")).hasMessageContaining("only Sequential");
        assertThatThrownBy(() -> ModelJson.fromJson("{not json")).hasMessageContaining("not valid JSON");
        Path f = Files.writeString(dir.resolve("arch.json"), "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 3}}]}}");
        assertThatThrownBy(() -> ModelJson.read(f, 0)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("no input shape");
        Path huge = Files.writeString(dir.resolve("huge.json"), "{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 100000]}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 100000}}]}}");
        assertThatThrownBy(() -> ModelJson.read(huge, 0)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("huge.json").hasMessageContaining("10000100000 parameters");
    }

    @Test
    void handWrittenArchitectureWithIntShorthands() {
        String json = """
                {"class_name": "Sequential", "config": {"name": "mine", "seed": 5, "layers": [
                  {"class_name": "InputLayer", "config": {"batch_shape": [null, 10, 10, 3]}},
                  {"class_name": "Conv2D", "config": {"filters": 6, "kernel_size": 3, "activation": "relu", "kernel_initializer": "he_uniform"}},
                  {"class_name": "MaxPooling2D", "config": {"pool_size": 2}},
                  {"class_name": "Flatten", "config": {}},
                  {"class_name": "Dense", "config": {"units": 4, "activation": "softmax"}}
                ]}}""";
        Sequential m = ModelJson.fromJson(json);
        m.build();
        assertThat(m.seed()).isEqualTo(5);
        assertThat(m.outputShape()).containsExactly(4);
        assertThat(m.parameterCount()).isEqualTo(3 * 3 * 3 * 6 + 6 + 4 * 4 * 6 * 4 + 4);
        assertThat(((Conv2D) m.layers().get(0)).config().kernelInitializer()).isEqualTo(io.cnn4j.layers.Initializer.HE_UNIFORM);
        assertThat(ModelFiles.parameterCount(ModelJson.fromJson(json))).isEqualTo(m.parameterCount());
    }
}
