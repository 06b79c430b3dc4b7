package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.layers.Layer;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;
import onnx.Onnx;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Imports ONNX files written by PyTorch's torch.onnx.export (src/test/python/make_torch_fixtures.py). */
class OnnxImportTorchTest {
    static Path resource(String name) throws URISyntaxException {
        return Path.of(OnnxImportTorchTest.class.getResource("/onnx/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"torch_conv_relu_maxpool_gemm_softmax", "torch_same_avgpool_tanh_sigmoid", "torch_bn_leaky_relu6_gap_bn1d", "torch_view_dynamic_batch"})
    void torchExportGivesPyTorchsOutputs(String name) throws Exception {
        Sequential m = OnnxModels.load(resource(name + ".onnx"));
        JsonNode ref;
        try (InputStream in = OnnxImportTorchTest.class.getResourceAsStream("/onnx/" + name + ".json")) {
            ref = new ObjectMapper().readTree(in);
        }
        int[] shape = new ObjectMapper().convertValue(ref.get("input_shape"), int[].class);
        float[] x = new ObjectMapper().convertValue(ref.get("input"), float[].class);
        float[] expected = new ObjectMapper().convertValue(ref.get("output"), float[].class);
        // the NCHW graph becomes a model with NHWC inputs (H, W, C)
        assertThat(m.inputShape()).containsExactly(shape[1], shape[2], shape[3]);
        float[] y = m.predict(new Tensor(x, shape)).data();
        assertThat(TestModels.maxAbsDiff(expected, y)).isLessThanOrEqualTo(1e-5f);
    }

    @Test
    void torchNetworkBecomesKerasStyleLayers() throws Exception {
        Sequential m = OnnxModels.load(resource("torch_conv_relu_maxpool_gemm_softmax.onnx"));
        assertThat(m.layers()).extracting(Layer::className).containsExactly("Conv2D", "MaxPooling2D", "Flatten", "Dense");
        assertThat(m.layers()).extracting(Layer::name).containsExactly("conv1", "pool_MaxPool", "flatten", "fc1");
        assertThat(m.layers().get(0).config().toString()).contains("RELU");
        assertThat(m.layers().get(3).config().toString()).contains("SOFTMAX");
    }

    @Test
    void unsupportedOperatorIsNamedInOneLine() throws Exception {
        Onnx.ModelProto p = Onnx.ModelProto.parseFrom(java.nio.file.Files.readAllBytes(resource("torch_conv_relu_maxpool_gemm_softmax.onnx")));
        Onnx.GraphProto.Builder g = p.getGraph().toBuilder();
        g.getNodeBuilder(1).setOpType("Selu");
        Onnx.ModelProto edited = p.toBuilder().setGraph(g).build();
        assertThatThrownBy(() -> OnnxModels.fromProto(edited))
                .hasMessageStartingWith("ONNX node '/Relu' (Selu): operator Selu is not supported (supported: ")
                .hasMessageNotContaining("\n");
    }
}
