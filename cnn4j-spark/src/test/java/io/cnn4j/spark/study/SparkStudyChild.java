package io.cnn4j.spark.study;

import io.cnn4j.study.Study;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Entry point of {@link DriverKillTest}'s child driver JVM: the tiny study on local[2] into args[0] with args[1] training images. */
public final class SparkStudyChild {
    private SparkStudyChild() {
    }

    public static void main(String[] args) {
        try (JavaSparkContext sc = new JavaSparkContext(TinyStudy.local(2))) {
            Study.run(TinyStudy.config(Path.of(args[0]), Integer.parseInt(args[1])), new PrintStream(System.out, true, StandardCharsets.UTF_8), false,
                    new SparkTrialEngine(sc, null));
        }
    }
}
