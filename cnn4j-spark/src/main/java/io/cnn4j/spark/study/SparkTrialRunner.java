package io.cnn4j.spark.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.study.EpochRecord;
import io.cnn4j.study.ResultsFile;
import io.cnn4j.study.StudyData;
import io.cnn4j.study.StudyStorage;
import io.cnn4j.study.Trial;
import io.cnn4j.study.TrialListener;
import io.cnn4j.study.TrialResult;
import io.cnn4j.study.TrialRunner;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs trials on Spark, one trial per task (one partition per trial), each task with
 * {@code spark.task.cpus} GEMM threads. Tasks write their result lines to files of their own
 * ({@link RunTrial}); this driver polls them and appends each (trial, epoch) line and each trial's
 * final line to the results file exactly once, so retried or speculative attempts never duplicate a
 * result, and reports progress as the lines arrive.
 */
public final class SparkTrialRunner implements TrialRunner {
    private static final long POLL_MS = 500;

    private final JavaSparkContext sc;
    private final String studyUri;
    private final Map<String, String> hadoopSettings;
    private final StudyStorage storage;
    private final ResultsFile results;
    private final StudyData data;
    private final List<String> receipts = new ArrayList<>();

    SparkTrialRunner(JavaSparkContext sc, String studyUri, Map<String, String> hadoopSettings, StudyStorage storage, ResultsFile results,
                     StudyData data) {
        this.sc = sc;
        this.studyUri = studyUri;
        this.hadoopSettings = hadoopSettings;
        this.storage = storage;
        this.results = results;
        this.data = data;
    }

    /** What the tasks of the last {@link #runAll} returned: trial, executor, attempt file, data loads in that executor's JVM. */
    public List<String> receipts() {
        return List.copyOf(receipts);
    }

    @Override
    public List<TrialResult> runAll(List<Trial> trials, TrialListener listener) {
        if (trials.isEmpty()) {
            return List.of();
        }
        ExecutorStudyData.offer(trials.get(0).data(), data);
        // read by Spark's listener thread too
        Set<String> seen = ConcurrentHashMap.newKeySet();
        for (String line : results.lines()) {
            try {
                seen.add(key(RunTrial.JSON.readTree(line)));
            } catch (IOException | RuntimeException e) {
                // a line cut short by a kill; the results file's repair() dropped it, nothing to count
            }
        }
        Set<String> finished = ConcurrentHashMap.newKeySet();
        // lines a killed driver had not copied yet
        merge(trials, seen, finished, listener);
        List<Trial> todo = trials.stream().filter(t -> !finished.contains(t.id())).toList();
        List<String> specs = new ArrayList<>();
        for (Trial t : todo) {
            specs.add(RunTrial.JSON.valueToTree(t).toString());
        }
        int steps = (data.train().size() + trials.get(0).training().batchSize() - 1) / trials.get(0).training().batchSize();
        SparkListener starts = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                merge(todo, seen, finished, listener);
            }

            @Override
            public void onTaskStart(SparkListenerTaskStart e) {
                // Spark may report a task's start before the end of the task whose slot it took; the ended trial's
                // final line is in its attempt file by then, so report that first and the running count stays right
                merge(todo, seen, finished, listener);
                int i = e.taskInfo().index();
                if (i >= 0 && i < todo.size() && !finished.contains(todo.get(i).id())) {
                    Trial t = todo.get(i);
                    listener.trialStarted(t, epochsLogged(seen, t), steps);
                }
            }
        };
        if (!todo.isEmpty()) {
            sc.sc().addSparkListener(starts);
            try {
                String group = "cnn4j-study-" + System.nanoTime();
                CompletableFuture<List<String>> job = CompletableFuture.supplyAsync(() -> {
                    sc.setJobGroup(group, "cnn4j study: " + todo.size() + " trials", true);
                    return sc.parallelize(specs, specs.size()).map(new RunTrial(studyUri, hadoopSettings)).collect();
                });
                while (true) {
                    try {
                        receipts.clear();
                        receipts.addAll(job.get(POLL_MS, TimeUnit.MILLISECONDS));
                        break;
                    } catch (TimeoutException e) {
                        merge(todo, seen, finished, listener);
                    } catch (InterruptedException e) {
                        sc.cancelJobGroup(group);
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while the study's trials ran on Spark", e);
                    } catch (ExecutionException e) {
                        merge(todo, seen, finished, listener);
                        Throwable c = e.getCause();
                        String m = c.getMessage() == null ? c.toString() : c.getMessage().lines().findFirst().orElse("");
                        throw new IllegalStateException("the study's Spark job failed: " + m, c);
                    }
                }
            } finally {
                sc.sc().removeSparkListener(starts);
            }
            merge(todo, seen, finished, listener);
        }
        Map<String, ResultsFile.TrialLog> logs = results.read();
        List<TrialResult> out = new ArrayList<>();
        for (Trial t : trials) {
            ResultsFile.TrialLog log = logs.get(t.id());
            if (log == null || !log.finished()) {
                throw new IllegalStateException("trial " + t.id() + " finished on Spark but has no result line in " + results.location());
            }
            out.add(log.toResult());
        }
        return out;
    }

    private static int epochsLogged(Set<String> seen, Trial t) {
        int n = 0;
        while (seen.contains(t.id() + "/epoch/" + n)) {
            n++;
        }
        return n;
    }

    static String key(JsonNode line) {
        String type = line.get("type").asText();
        return line.get("trial").asText() + "/" + type + (type.equals("epoch") ? "/" + line.get("epoch").asInt() : "");
    }

    /** Copies every complete line of the trials' attempt files not yet in the results file into it, in order, and reports it. */
    private synchronized void merge(List<Trial> trials, Set<String> seen, Set<String> finished, TrialListener listener) {
        for (Trial t : trials) {
            if (finished.contains(t.id())) {
                continue;
            }
            String dir = RunTrial.ATTEMPTS + "/" + t.id();
            try {
                for (String attempt : storage.list(dir)) {
                    if (!attempt.endsWith(".jsonl")) {
                        continue; // a temporary file of an atomic write
                    }
                    String text = new String(storage.read(dir + "/" + attempt, Integer.MAX_VALUE - 16), StandardCharsets.UTF_8);
                    int end = text.lastIndexOf('\n');
                    for (String line : text.substring(0, end + 1).lines().toList()) {
                        ObjectNode n = (ObjectNode) RunTrial.JSON.readTree(line);
                        String k = key(n);
                        if (!seen.add(k)) {
                            continue;
                        }
                        results.append(n);
                        if (n.get("type").asText().equals("epoch")) {
                            listener.epochEnd(t, new EpochRecord(n.get("epoch").asInt(), num(n, "loss"), num(n, "accuracy"), num(n, "val_loss"),
                                    num(n, "val_accuracy"), num(n, "seconds")));
                        } else {
                            finished.add(t.id());
                            listener.trialEnd(results.read().get(t.id()).toResult());
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the result lines of trial " + t.id() + " from " + storage.location(dir) + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private static double num(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

}
