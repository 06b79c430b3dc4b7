package io.cnn4j.spark.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.study.BaseModel;
import io.cnn4j.study.ResultsFile;
import io.cnn4j.study.StudyData;
import io.cnn4j.study.Trial;
import io.cnn4j.study.TrialExecutor;
import io.cnn4j.study.TrialListener;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One Spark task: runs one trial (its JSON spec in, a short JSON receipt out) with the ordinary
 * {@link TrialExecutor}, from the trial's newest checkpoint if an earlier attempt left one. The
 * attempt writes its result lines to a file of its own, {@code attempts/<trial>/<app>-task<N>-exec<E>.jsonl}; the
 * driver alone copies them into the results file, once per (trial, epoch) whatever the attempts.
 */
final class RunTrial implements Function<String, String> {
    private static final long serialVersionUID = 1L;
    static final String ATTEMPTS = "attempts";
    static final ObjectMapper JSON = new ObjectMapper();

    private final String studyUri;
    private final HashMap<String, String> hadoopSettings;

    RunTrial(String studyUri, Map<String, String> hadoopSettings) {
        this.studyUri = studyUri;
        this.hadoopSettings = new HashMap<>(hadoopSettings);
    }

    @Override
    public String call(String trialJson) {
        Trial trial;
        try {
            trial = JSON.readValue(trialJson, Trial.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a trial spec: " + e.getMessage(), e);
        }
        StudyData data = ExecutorStudyData.get(trial.data());
        BaseModel base = BaseModel.resolve(trial.model(), data.inputShape(), data.classes());
        HadoopStudyStorage storage = new HadoopStudyStorage(studyUri, hadoopSettings);
        TaskContext task = TaskContext.get();
        String executor = SparkEnv.get().executorId();
        // task attempt ids are unique within one application only; a restarted driver is a new application
        String attempt = String.format(Locale.ROOT, "%s/%s/%s-task%d-exec%s.jsonl", ATTEMPTS, trial.id(), SparkEnv.get().conf().getAppId(),
                task.taskAttemptId(), executor);
        ResultsFile lines = new ResultsFile(storage, attempt);
        new TrialExecutor(base, data, lines, new EpochCheckpointStore(storage)).execute(trial, TrialListener.NONE);
        ObjectNode receipt = JSON.createObjectNode();
        receipt.put("trial", trial.id());
        receipt.put("executor", executor);
        receipt.put("attempt", attempt);
        receipt.put("dataLoads", ExecutorStudyData.loads());
        return receipt.toString();
    }
}
