package io.cnn4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.cnn4j.tensor.Tensor;

import java.nio.FloatBuffer;
import java.util.Map;

/** Runs an ONNX model in ONNX Runtime (Java) on a cnn4j tensor: the independent reference for exports. */
final class OnnxRuntimeCheck {
    private OnnxRuntimeCheck() {
    }

    static float[] run(byte[] onnx, Tensor x) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(onnx, o)) {
                String input = session.getInputNames().iterator().next();
                long[] shape = new long[x.rank()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = x.dim(i);
                }
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape);
                     OrtSession.Result r = session.run(Map.of(input, t))) {
                    FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    float[] y = new float[out.remaining()];
                    out.get(y);
                    return y;
                }
            }
        }
    }
}
