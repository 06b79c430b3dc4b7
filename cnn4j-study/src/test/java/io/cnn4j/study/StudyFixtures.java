package io.cnn4j.study;

import java.nio.file.Path;
import java.util.List;

/** Small studies on generated 12×12 images that train in seconds. */
final class StudyFixtures {
    private StudyFixtures() {
    }

    static StudyConfig tiny(Path out, int seeds, int epochs, List<String> placements, int threads) {
        return new StudyConfig("test", new DataSpec("synthetic:12x12x1:4", 192, 96, 0.25), "simple-cnn", List.of("max"), 0.25, "nominal",
                placements, null, null, seeds, new TrainingSpec(epochs, 32, 0.003), "scalar", threads, out,
                "cnn4j study (test fixture)");
    }
}
