package io.cnn4j.cli;

import io.cnn4j.kernels.KernelTuner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TuneCommandTest {

    @Test
    void measuresPrintsEveryCandidateAndRecordsTheChoice(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kernel-tuning.json");
        String old = System.getProperty(KernelTuner.FILE_PROPERTY);
        System.setProperty(KernelTuner.FILE_PROPERTY, file.toString());
        try {
            StringWriter out = new StringWriter();
            picocli.CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out));
            int code = cl.execute("tune", "--threads", "1", "--rounds", "1");
            assertThat(code).isZero();
            assertThat(out.toString()).contains("gemmKc").contains("gemmNc").contains("winogradChunkFloats")
                    .contains("(default)").contains("saved in " + file);
            assertThat(Files.readString(file)).contains("\"format\" : \"cnn4j-kernel-tuning\"").contains("\"threads\" : 1");
        } finally {
            if (old == null) {
                System.clearProperty(KernelTuner.FILE_PROPERTY);
            } else {
                System.setProperty(KernelTuner.FILE_PROPERTY, old);
            }
        }
    }

    @Test
    void badRoundsAreAUsageError() {
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("tune", "--rounds", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--rounds must be in [1, 1000], got 0");
    }
}
