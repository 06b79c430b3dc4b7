package io.cnn4j.spark.study;

import io.cnn4j.study.BaseModel;
import io.cnn4j.study.CheckpointStore;
import io.cnn4j.study.ResultsFile;
import io.cnn4j.study.StudyConfig;
import io.cnn4j.study.StudyData;
import io.cnn4j.study.StudyStorage;
import io.cnn4j.study.TrialEngine;
import io.cnn4j.study.TrialRunner;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The placement study on Spark: one trial per task, results and checkpoints under
 * {@code <store>/<study-id>/} on any Hadoop FileSystem URI, the report in the local study directory.
 * Each trial's GEMM threads are {@code spark.task.cpus} (default 1): Spark then runs as many trials
 * at a time per executor as it has cores / task cpus, and a trial's numbers match the local runner's
 * at the same thread count, to the bit.
 */
public final class SparkTrialEngine implements TrialEngine {
    private final JavaSparkContext sc;
    private final String store;
    private final Map<String, String> hadoopSettings;
    private String studyUri;
    private SparkTrialRunner last;

    /**
     * @param store root URI of the study directories (e.g. hdfs://nn/cnn4j/studies); null for the
     *              local --out root (file://, fine for local mode or an --out every worker mounts)
     */
    public SparkTrialEngine(JavaSparkContext sc, String store) {
        this.sc = sc;
        this.store = store;
        this.hadoopSettings = hadoopSettings(sc);
    }

    /** Spark's spark.hadoop.* settings without the prefix: what the executors' file system clients need (credentials, endpoints). */
    static Map<String, String> hadoopSettings(JavaSparkContext sc) {
        Map<String, String> m = new HashMap<>();
        for (Tuple2<String, String> e : sc.getConf().getAll()) {
            if (e._1().startsWith("spark.hadoop.")) {
                m.put(e._1().substring("spark.hadoop.".length()), e._2());
            }
        }
        return m;
    }

    public int threadsPerTrial() {
        return sc.getConf().getInt("spark.task.cpus", 1);
    }

    @Override
    public StudyStorage storage(StudyConfig config, Path localDir) {
        String root = store != null ? store : localDir.toAbsolutePath().getParent().toUri().toString();
        studyUri = (root.endsWith("/") ? root : root + "/") + config.studyId();
        return new HadoopStudyStorage(studyUri, hadoopSettings);
    }

    @Override
    public CheckpointStore checkpoints(StudyStorage storage) {
        return new EpochCheckpointStore(storage);
    }

    @Override
    public Plan plan(StudyConfig config, int todo) {
        int cpus = threadsPerTrial();
        int slots = Math.max(1, sc.defaultParallelism() / cpus);
        return new Plan(Math.max(1, Math.min(slots, todo)), cpus, String.format(Locale.ROOT, "as Spark tasks on %s (spark.task.cpus = %d)",
                sc.master(), cpus));
    }

    @Override
    public TrialRunner runner(BaseModel base, StudyData data, ResultsFile results, CheckpointStore checkpoints, Plan plan) {
        last = new SparkTrialRunner(sc, studyUri, hadoopSettings, new HadoopStudyStorage(studyUri, hadoopSettings), results, data);
        return last;
    }

    /** The runner of the last study run, for its task receipts. */
    public SparkTrialRunner lastRunner() {
        return last;
    }
}
