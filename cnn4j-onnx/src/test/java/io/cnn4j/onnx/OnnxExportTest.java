package io.cnn4j.onnx;

import io.cnn4j.io.ModelFileException;
import io.cnn4j.layers.BatchNormalization;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.MaxPoolingDropout2D;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnnxExportTest {
    @TempDir
    Path dir;

    @Test
    void exportedModelsGiveCnn4jsPredictionsInOnnxRuntime() throws Exception {
        for (Map.Entry<String, Sequential> e : TestModels.all().entrySet()) {
            Sequential m = e.getValue();
            Tensor x = TestModels.input(m, 3, 7);
            float[] expected = m.predict(x.copy()).data();
            float[] ort = OnnxRuntimeCheck.run(OnnxModels.toProto(m).toByteArray(), x);
            assertThat(TestModels.maxAbsDiff(expected, ort)).as(e.getKey()).isLessThanOrEqualTo(1e-5f);
        }
    }

    @Test
    void inferenceGraphHasNoDropoutAndKeepsSoftmaxAtOpset13() {
        Onnx.ModelProto p = OnnxModels.toProto(TestModels.all().get("conv-relu-maxpool-dropout-dense-softmax"));
        List<String> ops = p.getGraph().getNodeList().stream().map(Onnx.NodeProto::getOpType).toList();
        assertThat(ops).containsExactly("Transpose", "Conv", "Relu", "MaxPool", "Transpose", "Flatten", "Gemm", "Softmax");
        assertThat(p.getOpsetImport(0).getVersion()).isEqualTo(13);
        assertThat(p.getGraph().getInput(0).getType().getTensorType().getShape().getDimList())
                .extracting(Onnx.TensorShapeProto.Dimension::getDimValue).containsExactly(0L, 9L, 7L, 3L);
    }

    @Test
    void everyLayerRoundTripsWithNamesShapesParametersAndPredictions() throws Exception {
        for (Map.Entry<String, Sequential> e : TestModels.all().entrySet()) {
            Sequential m = e.getValue();
            Path f = dir.resolve(e.getKey() + ".onnx");
            OnnxModels.save(m, f);
            Sequential back = OnnxModels.load(f);
            assertThat(back.name()).isEqualTo(m.name());
            assertThat(back.seed()).isEqualTo(m.seed());
            assertThat(back.layers()).extracting(Layer::name).containsExactlyElementsOf(m.layers().stream().map(Layer::name).toList());
            assertThat(back.layers()).extracting(Layer::config).containsExactlyElementsOf(m.layers().stream().map(Layer::config).toList());
            for (int i = 0; i < m.layers().size(); i++) {
                assertThat(back.layers().get(i).outputShape()).isEqualTo(m.layers().get(i).outputShape());
            }
            assertThat(back.parameterCount()).isEqualTo(m.parameterCount());
            Tensor x = TestModels.input(m, 4, 3);
            assertThat(TestModels.maxAbsDiff(m.predict(x.copy()).data(), back.predict(x).data())).as(e.getKey()).isLessThanOrEqualTo(1e-6f);
        }
    }

    @Test
    void theGraphAloneImportsToTheSameFunctionWithoutDropoutLayers() throws Exception {
        for (Map.Entry<String, Sequential> e : TestModels.all().entrySet()) {
            Sequential m = e.getValue();
            Onnx.ModelProto p = OnnxModels.toProto(m).toBuilder().clearMetadataProps().build();
            Sequential back = OnnxModels.fromProto(p);
            // a BatchNormalization without center or scale comes back with beta = 0 / gamma = 1 as weights
            long implicit = m.layers().stream().filter(l -> l.config() instanceof BatchNormalization.Config)
                    .mapToLong(l -> l.inputShape()[l.inputShape().length - 1] * (4L - l.weights().size())).sum();
            assertThat(back.parameterCount()).isEqualTo(m.parameterCount() + implicit);
            assertThat(back.layers()).extracting(Layer::className).doesNotContain("Dropout", "SpatialDropout2D", "DropBlock2D");
            Tensor x = TestModels.input(m, 2, 5);
            assertThat(TestModels.maxAbsDiff(m.predict(x.copy()).data(), back.predict(x).data())).as(e.getKey()).isLessThanOrEqualTo(1e-6f);
        }
    }

    @Test
    void cnn4jMetadataTravelsInTheFile() throws Exception {
        Sequential m = TestModels.all().get("conv-relu-maxpool-dropout-dense-softmax");
        com.fasterxml.jackson.databind.node.ObjectNode meta = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        meta.put("dataset", "fashion-mnist");
        meta.putObject("preprocessing").put("scale", 255.0);
        Path f = dir.resolve("meta.onnx");
        OnnxModels.save(m, meta, f);
        assertThat(OnnxModels.read(f).metadata()).isEqualTo(meta);
        Path plain = dir.resolve("plain.onnx");
        OnnxModels.save(m, plain);
        assertThat(OnnxModels.read(plain).metadata().isEmpty()).isTrue();
    }

    @Test
    void metadataThatDisagreesWithTheGraphIsRefused() throws Exception {
        Sequential m = TestModels.all().get("conv-relu-maxpool-dropout-dense-softmax");
        Onnx.ModelProto p = OnnxModels.toProto(m);
        String json = p.getMetadataProps(0).getValue().replace("\"relu\"", "\"tanh\"");
        Path f = dir.resolve("edited.onnx");
        Files.write(f, p.toBuilder().setMetadataProps(0, p.getMetadataProps(0).toBuilder().setValue(json)).build().toByteArray());
        assertThatThrownBy(() -> OnnxModels.load(f)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("computes something else than the graph");
    }

    @Test
    void maxPoolingDropoutIsRefusedWithItsName() {
        Sequential m = new Sequential("mpd", 1).add(new MaxPoolingDropout2D(0.5, 2, 1L).name("mpd1").inputShape(4, 4, 1))
                .add(new Flatten()).add(new Dense(2));
        m.build();
        assertThatThrownBy(() -> OnnxModels.toProto(m)).hasMessage(
                "layer 'mpd1' (MaxPoolingDropout2D) cannot be exported to ONNX: no ONNX operator computes it exactly");
    }

    @Test
    void notOnnxIsAOneLineError() throws Exception {
        Path f = dir.resolve("junk.onnx");
        Files.write(f, new byte[]{(byte) 0xff, 1, 2, 3, 4});
        assertThatThrownBy(() -> OnnxModels.load(f)).isInstanceOf(ModelFileException.class).hasMessageContaining("not an ONNX model")
                .hasMessageNotContaining("\n");
    }

    @Test
    void convWithDilationIsRefusedNamingNodeAndAttribute() {
        Sequential m = new Sequential("c", 1).add(new Conv2D(2, 3).inputShape(6, 6, 1)).add(new Flatten()).add(new Dense(2));
        m.build();
        Onnx.ModelProto p = OnnxModels.toProto(m);
        Onnx.GraphProto.Builder g = p.getGraph().toBuilder();
        Onnx.NodeProto.Builder conv = g.getNodeBuilder(1);
        for (int i = 0; i < conv.getAttributeCount(); i++) {
            if (conv.getAttribute(i).getName().equals("dilations")) {
                conv.setAttribute(i, OnnxGraphBuilder.ints("dilations", 2, 2));
            }
        }
        Onnx.ModelProto edited = p.toBuilder().setGraph(g).clearMetadataProps().build();
        assertThatThrownBy(() -> OnnxModels.fromProto(edited)).hasMessage("ONNX node 'conv2d' (Conv): dilations [2, 2] are not supported");
    }
}
