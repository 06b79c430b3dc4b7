package io.cnn4j.study;

import java.nio.file.Path;

/**
 * Where a study's trials run and where their results and checkpoints live. {@link #LOCAL} runs
 * them in this JVM with files in the study's local directory; cnn4j-spark's engine runs one trial
 * per Spark task with files on a Hadoop file system. The study's logic (which trials, resuming,
 * statistics, report) is the same for all.
 */
public interface TrialEngine {
    /**
     * How trials run: {@code parallel} at a time, each with {@code gemmThreads} GEMM threads
     * (recorded in every trial's spec: the numbers are reproducible bit for bit at a fixed count).
     */
    record Plan(int parallel, int gemmThreads, String where) {
    }

    /** Where the results file and checkpoints go; {@code localDir} is the study's local directory (report, lock). */
    StudyStorage storage(StudyConfig config, Path localDir);

    CheckpointStore checkpoints(StudyStorage storage);

    Plan plan(StudyConfig config, int todo);

    TrialRunner runner(BaseModel base, StudyData data, ResultsFile results, CheckpointStore checkpoints, Plan plan);

    /** Trials in parallel threads of this JVM: as many at a time as --threads allows, the rest of the cores as GEMM threads. */
    TrialEngine LOCAL = new TrialEngine() {
        @Override
        public StudyStorage storage(StudyConfig config, Path localDir) {
            return new LocalStudyStorage(localDir);
        }

        @Override
        public CheckpointStore checkpoints(StudyStorage storage) {
            return new ModelFilesCheckpointStore(((LocalStudyStorage) storage).path("checkpoints"));
        }

        @Override
        public Plan plan(StudyConfig config, int todo) {
            int parallel = Math.max(1, Math.min(config.threads(), todo));
            return new Plan(parallel, Math.max(1, config.threads() / parallel), "in this JVM");
        }

        @Override
        public TrialRunner runner(BaseModel base, StudyData data, ResultsFile results, CheckpointStore checkpoints, Plan plan) {
            return new LocalTrialRunner(new TrialExecutor(base, data, results, checkpoints), plan.parallel());
        }
    };
}
