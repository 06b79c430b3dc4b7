package io.cnn4j.kernels;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the CPU's name, family and vector extension, and the FMA peak's arguments and result. */
class CpuModelTest {

    @Test
    void readsTheFirstProcessorsNameFamilyModelAndWidestVectorExtension() {
        List<String> zen5 = List.of(
                "processor\t: 0",
                "vendor_id\t: AuthenticAMD",
                "cpu family\t: 26",
                "model\t\t: 2",
                "model name\t: AMD EPYC 9B45",
                "flags\t\t: fpu sse2 avx avx2 fma avx512f avx512bw",
                "",
                "processor\t: 1",
                "model name\t: something else");
        CpuModel m = CpuModel.parse(zen5);
        assertThat(m).isEqualTo(new CpuModel("AMD EPYC 9B45", 26, 2, "avx512f"));
        assertThat(m.toString()).isEqualTo("AMD EPYC 9B45, family 26 model 2, avx512f");

        List<String> zen3 = List.of("cpu family\t: 25", "model\t\t: 1", "model name\t: AMD EPYC",
                "flags\t\t: fpu sse2 avx avx2 fma avx512_bf16_is_not_avx512f");
        assertThat(CpuModel.parse(zen3).vectorIsa()).isEqualTo("avx2");
        assertThat(CpuModel.parse(List.of("garbage", "model\t: x")).family()).isEqualTo(-1);
    }

    @Test
    void theCurrentMachineHasAName() {
        assertThat(CpuModel.current().modelName()).isNotBlank();
    }

    @Test
    void theFmaPeakIsAPositiveRateAndRefusesNonsense() {
        double g = FmaPeak.gflops(1, 1, 5);
        assertThat(g).isPositive().isFinite();
        assertThat(FmaPeak.lanes()).isEqualTo(VectorGemm.vectorLength());
        assertThatThrownBy(() -> FmaPeak.gflops(0, 1, 5)).hasMessageContaining("threads");
    }
}
