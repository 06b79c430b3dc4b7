package io.cnn4j.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The study's results as JSON lines, appended as trials progress: one "epoch" line per finished
 * epoch and one "trial" line when a trial is tested. Every line carries the full trial spec and
 * provenance, so the file alone is enough to rerun or re-analyse the study.
 *
 * <p>Crash safety: each line is written with one append and forced to disk. A line cut short by a
 * kill is removed when the file is next opened. Readers keep the first line for each (trial,
 * epoch) and each trial's first "trial" line, so nothing is counted twice.
 */
public final class ResultsFile {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Larger results files are refused rather than read into memory (a full study writes a few MB). */
    static final long MAX_BYTES = 1L << 30;

    private final StudyStorage storage;
    private final String name;
    private final Path path;

    public ResultsFile(Path path) {
        Path abs = path.toAbsolutePath();
        this.storage = new LocalStudyStorage(abs.getParent());
        this.name = abs.getFileName().toString();
        this.path = path;
    }

    /** The results file {@code name} in {@code storage} (e.g. on a cluster's shared file system). */
    public ResultsFile(StudyStorage storage, String name) {
        this.storage = storage;
        this.name = name;
        this.path = storage instanceof LocalStudyStorage local ? local.path(name) : null;
    }

    /** The local file, or null when the file is not on a local file system (see {@link #location()}). */
    public Path path() {
        return path;
    }

    /** Where the file is, for messages: a path or URI. */
    public String location() {
        return storage.location(name);
    }

    /** Drops a trailing partial line (left by a kill in the middle of a write). */
    public synchronized void repair() {
        try {
            if (!storage.exists(name)) {
                return;
            }
            byte[] bytes = storage.read(name, MAX_BYTES);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
            if (end < bytes.length) {
                storage.write(name, java.util.Arrays.copyOf(bytes, end));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair results file " + location() + ": " + e.getMessage(), e);
        }
    }

    public synchronized void append(ObjectNode line) {
        try {
            storage.append(name, (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to results file " + location() + ": " + e.getMessage(), e);
        }
    }

    /** The file's lines as written (a last line cut short by a kill included); empty when there is no file. */
    public synchronized List<String> lines() {
        try {
            if (!storage.exists(name)) {
                return List.of();
            }
            return new String(storage.read(name, MAX_BYTES), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read results file " + location() + ": " + e.getMessage(), e);
        }
    }

    /** A trial's lines as read back: its spec, epochs by number, and its final line (null while unfinished). */
    public record TrialLog(Trial trial, TreeMap<Integer, EpochRecord> epochs, JsonNode result) {
        public boolean finished() {
            return result != null;
        }

        public TrialResult toResult() {
            if (result == null) {
                throw new IllegalStateException("trial " + trial.id() + " has not finished");
            }
            return new TrialResult(trial, new ArrayList<>(epochs.values()), result.get("testLoss").asDouble(),
                    result.get("testAccuracy").asDouble(), result.get("trainAccuracy").asDouble(), result.get("bestEpoch").asInt(),
                    num(result, "bestTestLoss"), num(result, "bestTestAccuracy"), result.get("seconds").asDouble(),
                    result.get("peakHeapMb").asDouble());
        }
    }

    /** All trials in the file, in the order they first appear. A damaged line is an error naming the file and line. */
    public synchronized Map<String, TrialLog> read() {
        Map<String, TrialLog> out = new LinkedHashMap<>();
        byte[] bytes;
        try {
            if (!storage.exists(name)) {
                return out;
            }
            bytes = storage.read(name, MAX_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read results file " + location() + ": " + e.getMessage(), e);
        }
        return parse(bytes, location());
    }

    /**
     * The trials in a results file's content, as {@link #read} returns them; {@code path} names it in messages.
     *
     * @param bytes the file's content
     * @param path  the file
     * @return trials by id, in the order they first appear
     */
    public static Map<String, TrialLog> parse(byte[] bytes, Path path) {
        return parse(bytes, path.toString());
    }

    private static Map<String, TrialLog> parse(byte[] bytes, String path) {
        Map<String, TrialLog> out = new LinkedHashMap<>();
        List<byte[]> lines = new ArrayList<>();
        for (int from = 0, i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i > from || i < bytes.length) {
                    lines.add(java.util.Arrays.copyOfRange(bytes, from, i));
                }
                from = i + 1;
            }
        }
        boolean endsWithNewline = bytes.length > 0 && bytes[bytes.length - 1] == '\n';
        for (int i = 0; i < lines.size(); i++) {
            String where = "results file " + path + " line " + (i + 1);
            JsonNode n;
            Trial trial;
            String id;
            String type;
            try {
                String line = io.cnn4j.io.StrictJson.decode(lines.get(i), where);
                if (line.isBlank()) {
                    continue;
                }
                n = io.cnn4j.io.StrictJson.parse(line, where);
                type = io.cnn4j.io.StrictJson.text(n.get("type"), where + ": \"type\"");
                id = io.cnn4j.io.StrictJson.text(n.get("trial"), where + ": \"trial\"");
                if (n.get("spec") == null || !n.get("spec").isObject()) {
                    throw new IllegalArgumentException(where + ": \"spec\" must be the trial's spec object, got " + io.cnn4j.io.StrictJson.brief(n.get("spec")));
                }
                try {
                    trial = JSON.treeToValue(n.get("spec"), Trial.class);
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException(where + ": \"spec\" is not a valid trial spec ("
                            + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")");
                }
                if (type.equals("epoch")) {
                    io.cnn4j.io.StrictJson.integer(n.get("epoch"), where + ": \"epoch\"", 0, Integer.MAX_VALUE);
                } else if (type.equals("trial")) {
                    for (String f : new String[]{"testLoss", "testAccuracy", "trainAccuracy", "seconds", "peakHeapMb"}) {
                        io.cnn4j.io.StrictJson.number(n.get(f), where + ": \"" + f + "\"");
                    }
                    io.cnn4j.io.StrictJson.integer(n.get("bestEpoch"), where + ": \"bestEpoch\"", 0, Integer.MAX_VALUE);
                } else {
                    throw new IllegalArgumentException(where + ": unknown line type \"" + type + "\" (epoch or trial)");
                }
            } catch (IllegalArgumentException e) {
                if (i == lines.size() - 1 && !endsWithNewline) {
                    continue; // a line cut short by a kill; repair() removes it before appending
                }
                throw new IllegalArgumentException(e.getMessage() + "; the file is damaged: fix or delete that line to rerun the trial", e);
            }
            TrialLog log = out.computeIfAbsent(id, k -> new TrialLog(trial, new TreeMap<>(), null));
            if (type.equals("epoch")) {
                int epoch = n.get("epoch").asInt();
                log.epochs().putIfAbsent(epoch, new EpochRecord(epoch, num(n, "loss"), num(n, "accuracy"), num(n, "val_loss"),
                        num(n, "val_accuracy"), num(n, "seconds")));
            } else if (log.result() == null) {
                out.put(id, new TrialLog(log.trial(), log.epochs(), n));
            }
        }
        return out;
    }

    private static double num(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    /** The common part of every line: type, study, trial id and spec, variant and its rates, seed, provenance. */
    static ObjectNode header(String type, Trial trial, String backendName, int window) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type);
        n.put("study", trial.studyId());
        n.put("trial", trial.id());
        n.put("variant", trial.variant().name());
        n.put("seed", trial.seed());
        n.put("nominalRate", trial.variant().nominalRate());
        n.put("rate", trial.variant().rate());
        n.put("pooledZeroRate", trial.variant().pooledZeroRate(window));
        n.put("optimizer", optimizerDescription(trial.training()));
        n.put("backend", backendName);
        n.put("threads", trial.threads());
        n.set("versions", JSON.valueToTree(Provenance.versions()));
        n.set("spec", JSON.valueToTree(trial));
        return n;
    }

    /** The optimizer as Keras would write it, e.g. Adam(lr=0.001) or SGD(lr=0.01, momentum=0.9, nesterov=True, decay=1e-06). */
    static String optimizerDescription(TrainingSpec t) {
        String lr = "lr=" + t.learningRate();
        return t.optimizerName().equals("sgd")
                ? "SGD(" + lr + ", momentum=" + TrainingSpec.SGD_MOMENTUM + ", nesterov=True, decay=" + TrainingSpec.SGD_DECAY + ")"
                : "Adam(" + lr + ")";
    }

    static void putNumber(ObjectNode n, String field, double v) {
        if (Double.isNaN(v)) {
            n.putNull(field);
        } else {
            n.put(field, v);
        }
    }

    public static List<TrialResult> finishedResults(Collection<TrialLog> logs) {
        List<TrialResult> out = new ArrayList<>();
        for (TrialLog l : logs) {
            if (l.finished()) {
                out.add(l.toResult());
            }
        }
        return out;
    }
}
