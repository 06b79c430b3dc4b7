package io.cnn4j.study;

import java.util.List;

/**
 * Runs trials: a list of self-contained {@link Trial} specs in, their results out, in the same
 * order. The study's logic (which trials, resuming, statistics, report) does not depend on how or
 * where they run; {@link LocalTrialRunner} runs them in parallel in this JVM, a cluster engine can
 * ship each trial to a worker that runs a {@link TrialExecutor}.
 */
public interface TrialRunner {
    List<TrialResult> runAll(List<Trial> trials, TrialListener listener);
}
