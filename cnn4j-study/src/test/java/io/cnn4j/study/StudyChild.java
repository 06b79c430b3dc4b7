package io.cnn4j.study;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Entry point for {@link ResumeTest}'s child JVM: runs the resume fixture study into args[0]. */
public final class StudyChild {
    private StudyChild() {
    }

    public static void main(String[] args) {
        Study.run(ResumeTest.config(Path.of(args[0])), new PrintStream(System.out, true, StandardCharsets.UTF_8), false);
    }
}
