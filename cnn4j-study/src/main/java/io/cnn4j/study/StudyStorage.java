package io.cnn4j.study;

import java.io.IOException;
import java.util.List;

/**
 * Where a study keeps its files (the results file, checkpoints), by names relative to the study
 * directory with '/' between parts. {@link LocalStudyStorage} is a local directory; a cluster
 * engine supplies one on storage every node can reach (cnn4j-spark: any Hadoop FileSystem URI).
 */
public interface StudyStorage {
    /** Where {@code name} is, for messages (a path or URI). */
    String location(String name);

    boolean exists(String name) throws IOException;

    /** The whole content; refuses files over {@code maxBytes}. */
    byte[] read(String name, long maxBytes) throws IOException;

    /** Replaces the content atomically: a reader sees the old or the new content, never a mix. */
    void write(String name, byte[] content) throws IOException;

    /** Appends durably; only one writer may append to a given name. */
    void append(String name, byte[] content) throws IOException;

    /** Deletes a file, or a directory with everything in it; nothing when it is not there. */
    void delete(String name) throws IOException;

    /** Names of the entries directly under {@code dir} (files and directories), empty when it does not exist. */
    List<String> list(String dir) throws IOException;
}
