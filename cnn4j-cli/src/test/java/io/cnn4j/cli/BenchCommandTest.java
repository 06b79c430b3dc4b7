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
                "--out", out.toString());
        assertThat(code).isZero();
        JsonNode r = new ObjectMapper().readTree(Files.readString(out));
        assertThat(r.get("backend").asText()).isEqualTo("vector");
        assertThat(r.get("threads").asInt()).isEqualTo(2);
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
        // auto: im2col for the first convolution (1 channel), Winograd for the second (16)
        assertThat(r.get("conv_algorithms").get("conv2d").asText()).isEqualTo("im2col");
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
    void rejectsBadMode() {
        assertThat(Main.commandLine().execute("bench", "--mode", "sideways")).isEqualTo(1);
    }
}
