package io.cnn4j.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every public top-level type of cnn4j-core has a Javadoc comment whose summary sentence names its
 * Keras counterpart (or says it has none), as the developers' guide asks: the API docs are read by
 * people who know Keras. Reads the sources, so a new class without such a sentence fails here with
 * its file name.
 */
class KerasCounterpartDocTest {
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^public\\s+(?:(?:final|abstract|sealed|non-sealed|static)\\s+)*(?:class|interface|record|enum|@interface)\\s+\\w+",
            Pattern.MULTILINE);
    private static final Pattern DOC_COMMENT = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);

    @Test
    void everyPublicClassNamesItsKerasCounterpartInItsSummarySentence() throws IOException {
        Path sources = Path.of("src/main/java");
        assertThat(sources).isDirectory();
        List<String> missing = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String source = Files.readString(file);
                Matcher type = PUBLIC_TYPE.matcher(source);
                if (!type.find()) {
                    continue; // package-private type or package-info
                }
                checked++;
                String summary = summarySentence(source.substring(0, type.start()));
                if (summary == null || !summary.contains("Keras")) {
                    missing.add(sources.relativize(file) + ": " + (summary == null ? "no class comment" : "summary \"" + summary + "\""));
                }
            }
        }
        assertThat(checked).isGreaterThan(50);
        assertThat(missing)
                .as("public cnn4j-core types whose Javadoc summary sentence names no Keras counterpart"
                        + " (add e.g. \"; Keras counterpart: keras.layers.X\" or \"; no Keras counterpart\")")
                .isEmpty();
    }

    /** The first sentence of the last doc comment before the type, as javadoc cuts it (a period then white space). */
    private static String summarySentence(String beforeType) {
        Matcher doc = DOC_COMMENT.matcher(beforeType);
        String last = null;
        while (doc.find()) {
            last = doc.group(1);
        }
        if (last == null || !beforeType.substring(beforeType.lastIndexOf("*/") + 2).strip().replaceAll("@\\w+(\\([^)]*\\))?", "").isBlank()) {
            return null;
        }
        String text = last.replaceAll("(?m)^\\s*\\*", " ").replaceAll("\\s+", " ").strip();
        Matcher end = Pattern.compile("\\.\\s").matcher(text + " ");
        return end.find() ? text.substring(0, end.start() + 1) : text;
    }
}
