import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Single-image inference latency of ONNX Runtime Java on the seed net, configured as the peers'
 * OrtSeedBench (default session options = ORT_ENABLE_ALL, intra-op threads as given, sequential):
 * CALLS calls after as many warm-up calls (at least 50), each timed alone; prints one JSON object.
 *   java -cp ORT_CLASSPATH:. OrtLatency MODEL X1 REF1 CALLS THREADS
 */
public class OrtLatency {
  static float[] read(String p) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Path.of(p))).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }

  public static void main(String[] args) throws Exception {
    String model = args[0];
    float[] x = read(args[1]), ref = read(args[2]);
    int calls = Integer.parseInt(args[3]), threads = Integer.parseInt(args[4]);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setIntraOpNumThreads(threads);
    so.setInterOpNumThreads(1);
    so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    try (OrtSession s = env.createSession(model, so);
         OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{1, 3, 100, 100})) {
      String in = s.getInputNames().iterator().next();
      double maxDiff = 0;
      try (OrtSession.Result r = s.run(Map.of(in, t))) {
        float[][] o = (float[][]) r.get(0).getValue();
        for (int j = 0; j < 10; j++) maxDiff = Math.max(maxDiff, Math.abs(o[0][j] - ref[j]));
      }
      for (int i = 0; i < Math.max(50, calls); i++) {
        try (OrtSession.Result r = s.run(Map.of(in, t))) { }
      }
      double[] ms = new double[calls];
      for (int i = 0; i < calls; i++) {
        long a = System.nanoTime();
        try (OrtSession.Result r = s.run(Map.of(in, t))) { }
        ms[i] = (System.nanoTime() - a) / 1e6;
      }
      double[] s2 = ms.clone();
      Arrays.sort(s2);
      System.out.printf(java.util.Locale.ROOT,
          "{\"system\": \"onnxruntime-java\", \"ort_version\": \"%s\", \"batch\": 1, \"intra_op_threads\": %d, \"calls\": %d, "
          + "\"check_max_abs_diff_vs_pytorch\": %.3g, \"p50_ms\": %.4f, \"p99_ms\": %.4f, \"mean_ms\": %.4f, \"max_ms\": %.4f}%n",
          env.getVersion(), threads, calls, maxDiff, s2[(int) Math.ceil(0.5 * calls) - 1], s2[(int) Math.ceil(0.99 * calls) - 1],
          Arrays.stream(ms).average().orElse(Double.NaN), s2[calls - 1]);
    }
  }
}
