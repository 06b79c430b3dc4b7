package io.cnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.kernels.ConvAlgorithm;
import io.cnn4j.model.Architectures;
import io.cnn4j.model.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BenchCommandTest {

    @Test
    void writesJsonWithThroughputGemmSpeedMemoryAndProfile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bench.json");
        int code = Main.commandLine().execute("bench", "--model", "simple-cnn", "--shape", "12,12,1", "--batch", "4",
                "--warmup", "1", "--iters", "2", "--repeats", "3", "--threads", "2", "--backend", "vector", "--profile",
                "--latency", "20", "--out", out.toString());
        assertThat(code).isZero();
        JsonNode r = new ObjectMapper().readTree(Files.readString(out));
        assertThat(r.get("backend").asText()).isEqualTo("vector");
        assertThat(r.get("threads").asInt()).isEqualTo(2);
        // tests run with cnn4j.tune=off (the parent pom): the defaults, and the output says so
        JsonNode tuning = r.get("kernel_tuning");
        assertThat(tuning.get("gemm_kc").asInt()).isEqualTo(io.cnn4j.kernels.KernelTuning.DEFAULTS.gemmKc());
        assertThat(tuning.get("gemm_rows").asInt()).isEqualTo(io.cnn4j.kernels.KernelTuning.DEFAULTS.gemmRows());
        assertThat(tuning.get("source").asText()).contains("cnn4j.tune=off");
        for (String mode : List.of("train", "infer")) {
            JsonNode m = r.get(mode);
            assertThat(m.get("images_per_s_all")).hasSize(3);
            assertThat(m.get("images_per_s_max").asDouble()).isGreaterThanOrEqualTo(m.get("images_per_s_median").asDouble()).isPositive();
            assertThat(m.get("allocated_bytes_per_batch").asDouble()).isGreaterThanOrEqualTo(0);
        }
        assertThat(r.get("gemm").get("gflops_forward_products").asDouble()).isPositive();
        assertThat(r.get("peak_rss_mib").asDouble()).isPositive();
        assertThat(r.get("peak_heap_mib").asDouble()).isPositive();
        // simple-cnn: 8 layers + the optimizer row
        assertThat(r.get("profile")).hasSize(9);
        // the FMA peak, and each conv and dense layer's fraction of it in all three passes
        JsonNode peak = r.get("fma_peak");
        assertThat(peak.get("gflops").asDouble()).isPositive();
        assertThat(peak.get("gflops_one_thread").asDouble()).isPositive();
        assertThat(peak.get("cpu").asText()).contains("family");
        int withFraction = 0;
        for (JsonNode row : r.get("profile")) {
            assertThat(row.get("infer_forward_ms").asDouble()).isGreaterThanOrEqualTo(0);
            if (row.has("forward_peak_fraction")) {
                withFraction++;
                // FLOPs over time over peak, recomputed from the row: the fraction is what it says
                double fwdFlopsPerMs = row.get("forward_peak_fraction").asDouble() * peak.get("gflops").asDouble() * 1e6
                        * row.get("forward_ms").asDouble();
                double inferFlopsPerMs = row.get("infer_peak_fraction").asDouble() * peak.get("gflops").asDouble() * 1e6
                        * row.get("infer_forward_ms").asDouble();
                assertThat(inferFlopsPerMs).isCloseTo(fwdFlopsPerMs, org.assertj.core.data.Percentage.withPercentage(1e-6));
                assertThat(row.get("type").asText()).isIn("Conv2D", "Dense");
            }
        }
        assertThat(withFraction).isEqualTo(4); // simple-cnn: 2 convolutions, 2 dense layers
        JsonNode lat = r.get("latency_batch1");
        assertThat(lat.get("calls").asInt()).isEqualTo(20);
        assertThat(lat.get("p99_ms").asDouble()).isGreaterThanOrEqualTo(lat.get("p50_ms").asDouble()).isPositive();
        assertThat(lat.get("max_ms").asDouble()).isGreaterThanOrEqualTo(lat.get("p99_ms").asDouble());
        // auto: the first convolution (1 channel) read in place with the vector backend (im2col otherwise), Winograd for the second (16)
        assertThat(r.get("conv_algorithms").get("conv2d").asText()).isEqualTo("vector".equals(r.get("backend").asText()) ? "direct" : "im2col");
        assertThat(r.get("conv_algorithms").get("conv2d_1").asText()).isEqualTo("winograd");
        // both 3×3 layers measured against double precision under both algorithms: float-sized errors
        assertThat(r.get("conv_error")).hasSize(2);
        for (JsonNode row : r.get("conv_error")) {
            assertThat(row.get("im2col_relative_max_error").asDouble()).isBetween(0.0, 1e-5);
            assertThat(row.get("winograd_relative_max_error").asDouble()).isBetween(0.0, 1e-5);
        }
    }

    @Test
    void convOptionChoosesTheAlgorithm(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bench.json");
        try {
            int code = Main.commandLine().execute("bench", "--model", "simple-cnn", "--shape", "12,12,1", "--batch", "4",
                    "--warmup", "1", "--iters", "1", "--repeats", "1", "--threads", "2", "--backend", "vector",
                    "--conv", "im2col", "--out", out.toString());
            assertThat(code).isZero();
            JsonNode r = new ObjectMapper().readTree(Files.readString(out));
            assertThat(r.get("conv_algorithms").get("conv2d_1").asText()).isEqualTo("im2col");
            assertThat(Main.commandLine().execute("bench", "--conv", "fft")).isEqualTo(2);
        } finally {
            // the option sets the property the layers read; leave the other tests on the default
            System.clearProperty(ConvAlgorithm.PROPERTY);
        }
    }

    @Test
    void countsForwardMultiplyAddsOfConvAndDenseLayers() {
        Sequential net = Architectures.vggLike(new int[]{100, 100, 3}, 10, 0);
        net.build(100, 100, 3);
        long macs = 0;
        for (BenchCommand.Product p : BenchCommand.forwardProducts(net, 1)) {
            macs += p.macs();
        }
        // the figure: ≈ 423 MFLOP forward per image for the VGG-like net on 100×100×3
        long expected = 98L * 98 * 32 * 27 + 96L * 96 * 32 * 288 + 46L * 46 * 64 * 288 + 44L * 44 * 64 * 576
                + 22L * 22 * 64 * 256 + 256L * 10;
        assertThat(macs).isEqualTo(expected);
        assertThat(2.0 * macs / 1e6).isBetween(420.0, 426.0);
    }

    @Test
    void percentilesAreNearestRank() {
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(BenchCommand.percentile(v, 0.5)).isEqualTo(5);
        assertThat(BenchCommand.percentile(v, 0.99)).isEqualTo(10);
        assertThat(BenchCommand.percentile(new double[]{7}, 0.99)).isEqualTo(7);
        assertThat(Main.commandLine().execute("bench", "--latency", "-3")).isEqualTo(2);
    }

    @Test
    void rejectsBadMode() {
        assertThat(Main.commandLine().execute("bench", "--mode", "sideways")).isEqualTo(1);
    }

    /** A Java FMA loop that ran unvectorised gives no peak (and so no layer fractions), and says why; a real one is kept. */
    @org.junit.jupiter.api.Test
    void anImplausibleFmaPeakIsRefusedNotUsed() {
        java.util.Map<String, Object> bad = BenchCommand.checkedPeak(2, 16, 21.5, 16.5, "AMD EPYC");
        org.assertj.core.api.Assertions.assertThat((Double) bad.get("gflops")).isNaN();
        org.assertj.core.api.Assertions.assertThat((String) bad.get("implausible")).contains("21.5 GFLOP/s on 2 threads").contains("below 32 per thread");
        org.assertj.core.api.Assertions.assertThat(bad.get("measured_gflops")).isEqualTo(21.5);
        java.util.Map<String, Object> good = BenchCommand.checkedPeak(2, 16, 452.9, 230.3, "AMD EPYC");
        org.assertj.core.api.Assertions.assertThat(good.get("gflops")).isEqualTo(452.9);
        org.assertj.core.api.Assertions.assertThat(good).doesNotContainKey("implausible");
        // one thread fine but the two-thread run not: refused too
        org.assertj.core.api.Assertions.assertThat((Double) BenchCommand.checkedPeak(2, 16, 40, 230, "x").get("gflops")).isNaN();
    }
}
