package io.cnn4j.spark.study;

import io.cnn4j.study.DataSpec;
import io.cnn4j.study.StudyData;
import io.cnn4j.study.StudyDataLoader;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The study's data in this JVM, loaded once per executor (not once per trial) from the path every
 * worker can read (the data registry's directories, or generated for synthetic sets) and then shared
 * read-only by the trials the executor runs. Static because an executor JVM has no other scope that
 * outlives a task; Spark's own broadcast cache is kept the same way.
 */
final class ExecutorStudyData {
    private static final Map<DataSpec, StudyData> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorStudyData() {
    }

    static StudyData get(DataSpec spec) {
        return LOADED.computeIfAbsent(spec, s -> {
            LOADS.incrementAndGet();
            return StudyDataLoader.load(s);
        });
    }

    /** The driver's copy, for executors in the driver's JVM (local mode). */
    static void offer(DataSpec spec, StudyData data) {
        LOADED.putIfAbsent(spec, data);
    }

    /** How many times this JVM has read a data set. */
    static int loads() {
        return LOADS.get();
    }
}
