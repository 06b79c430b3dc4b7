package io.cnn4j.study;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.data.Dataset;
import io.cnn4j.kernels.Backends;
import io.cnn4j.kernels.Gemm;
import io.cnn4j.model.Callback;
import io.cnn4j.model.FitOptions;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one trial start to finish (or from its last checkpoint to finish): builds the variant's
 * model from the trial's seed, trains it, logs and checkpoints every epoch, tests it and logs the
 * result. Order per epoch: checkpoint first, then the results line — a kill between the two
 * leaves a checkpoint whose epochs the next run writes to the results file before going on, so
 * no epoch is lost and none is logged twice.
 */
public final class TrialExecutor {
    /** Training images evaluated in inference mode for the generalisation gap. */
    static final int TRAIN_EVAL_LIMIT = 2000;
    /** Batch size of the test and train-accuracy evaluations. */
    static final int EVAL_BATCH = 256;

    private final BaseModel base;
    private final StudyData data;
    private final ResultsFile results;
    private final CheckpointStore checkpoints;

    public TrialExecutor(BaseModel base, StudyData data, ResultsFile results, CheckpointStore checkpoints) {
        this.base = base;
        this.data = data;
        this.results = results;
        this.checkpoints = checkpoints;
    }

    public TrialResult execute(Trial trial, TrialListener listener) {
        Gemm gemm = Backends.select(trial.backend(), trial.threads());
        Sequential model = VariantFactory.build(base, trial.variant(), trial.seed(), gemm);
        model.compile(trial.training().createOptimizer(), "categorical_crossentropy", "accuracy");
        int window = base.firstPoolWindow();
        // inference in batches of 256, as before per-epoch testing (larger GEMMs; no training buffers involved)
        int evalBatch = EVAL_BATCH;
        Dataset test = data.test();
        Tensor testY = test.oneHot();

        List<EpochRecord> epochs = new ArrayList<>();
        Optional<List<EpochRecord>> restored = checkpoints.restore(trial.id(), model);
        if (restored.isPresent()) {
            epochs.addAll(restored.get());
            ResultsFile.TrialLog logged = results.read().get(trial.id());
            for (EpochRecord r : epochs) {
                if (logged == null || !logged.epochs().containsKey(r.epoch())) {
                    results.append(epochLine(trial, gemm, window, r));
                }
            }
        }
        int firstEpoch = epochs.size();
        Integer patience = trial.training().patience();
        Dataset train = data.train();
        Tensor trainY = train.oneHot();
        FitOptions options = FitOptions.defaults().batchSize(trial.training().batchSize()).epochs(trial.training().epochs())
                .initialEpoch(firstEpoch).verbose(0).callbacks(new Callback() {
                    @Override
                    public void onTrainBegin(Sequential m, int e, int steps) {
                        listener.trialStarted(trial, firstEpoch, steps);
                    }

                    private int epoch;
                    private long epochStart;

                    @Override
                    public void onEpochBegin(int e) {
                        epoch = e;
                        epochStart = System.nanoTime();
                    }

                    @Override
                    public void onBatchEnd(int batch, double meanLoss, double meanAccuracy) {
                        listener.batchEnd(trial, epoch, batch, meanLoss, meanAccuracy);
                    }

                    @Override
                    public void onEpochEnd(int e, Map<String, Double> logs) {
                        EpochRecord r = new EpochRecord(e, logs.get("loss"), logs.getOrDefault("accuracy", Double.NaN),
                                logs.getOrDefault("val_loss", Double.NaN), logs.getOrDefault("val_accuracy", Double.NaN),
                                secondsSince(epochStart));
                        boolean improved = improves(epochs, r);
                        epochs.add(r);
                        if (improved) {
                            // the weights EarlyStopping(restore_best_weights) would restore; saved before the epoch's
                            // own checkpoint, so a resumed trial never has a best epoch without its weights
                            checkpoints.save(bestId(trial), model, epochs);
                        }
                        checkpoints.save(trial.id(), model, epochs);
                        results.append(epochLine(trial, gemm, window, r));
                        listener.epochEnd(trial, r);
                        if (shouldStop(epochs, patience)) {
                            model.stopTraining();
                        }
                    }
                });
        if (data.validation() != null) {
            options = options.validationData(data.validation().x(), data.validation().oneHot());
        }
        if (!shouldStop(epochs, patience) && firstEpoch < trial.training().epochs()) {
            model.fit(train.x(), trainY, options);
        }

        long evalStart = System.nanoTime();
        Map<String, Double> lastTest = model.evaluate(test.x(), testY, evalBatch);
        double testLoss = lastTest.get("loss"), testAccuracy = lastTest.get("accuracy");
        // as many training images as test images (at most TRAIN_EVAL_LIMIT): both terms of the gap equally precise
        int nTrainEval = Math.min(train.size(), Math.min(TRAIN_EVAL_LIMIT, test.size()));
        Dataset trainEval = train.slice(0, nTrainEval);
        double trainAccuracy = model.evaluate(trainEval.x(), trainEval.oneHot(), evalBatch).get("accuracy");
        double seconds = secondsSoFar(epochs) + secondsSince(evalStart);
        int best = bestIndex(epochs);
        EpochRecord bestRecord = epochs.get(best);
        double bestTestLoss = testLoss, bestTestAccuracy = testAccuracy;
        if (best != epochs.size() - 1) {
            // restore_best_weights: test the weights saved after the best epoch
            Sequential bestModel = VariantFactory.build(base, trial.variant(), trial.seed(), gemm);
            bestModel.compile(trial.training().createOptimizer(), "categorical_crossentropy", "accuracy");
            List<EpochRecord> upToBest = checkpoints.restore(bestId(trial), bestModel).orElseThrow(() -> new IllegalStateException(
                    "trial " + trial.id() + ": the weights of its best epoch " + (bestRecord.epoch() + 1) + " were not saved"));
            if (upToBest.size() != best + 1) {
                throw new IllegalStateException("trial " + trial.id() + ": saved best weights are from epoch " + upToBest.size()
                        + ", the best epoch is " + (best + 1));
            }
            Map<String, Double> t = bestModel.evaluate(test.x(), testY, evalBatch);
            bestTestLoss = t.get("loss");
            bestTestAccuracy = t.get("accuracy");
        }
        seconds = secondsSoFar(epochs) + secondsSince(evalStart);
        TrialResult result = new TrialResult(trial, epochs, testLoss, testAccuracy, trainAccuracy, bestRecord.epoch(),
                bestTestLoss, bestTestAccuracy, seconds, Provenance.peakHeapMb());
        if (trial.seed() == 0) {
            // seed 0's trained models stay for the mechanism checks of the report
            checkpoints.save(finalId(trial), model, epochs);
        }
        results.append(resultLine(result, gemm, window));
        checkpoints.delete(trial.id());
        checkpoints.delete(bestId(trial));
        listener.trialEnd(result);
        return result;
    }

    /** The quantity EarlyStopping monitors: validation loss, or training loss when there is no validation set. */
    static double monitored(EpochRecord r) {
        return Double.isNaN(r.valLoss()) ? r.loss() : r.valLoss();
    }

    /** Whether {@code r} lowers the monitored loss below every earlier epoch (Keras: min_delta 0, strict improvement). */
    static boolean improves(List<EpochRecord> before, EpochRecord r) {
        return before.isEmpty() || monitored(r) < monitored(before.get(bestIndex(before)));
    }

    /** Index of the first epoch with the lowest monitored loss (the weights restore_best_weights keeps). */
    static int bestIndex(List<EpochRecord> epochs) {
        int best = 0;
        for (int i = 1; i < epochs.size(); i++) {
            if (monitored(epochs.get(i)) < monitored(epochs.get(best))) {
                best = i;
            }
        }
        return best;
    }

    /** EarlyStopping's rule: stop once {@code patience} epochs in a row have not improved on the best. */
    static boolean shouldStop(List<EpochRecord> epochs, Integer patience) {
        return patience != null && !epochs.isEmpty() && epochs.size() - 1 - bestIndex(epochs) >= patience;
    }

    /** Checkpoint name of a running trial's best weights so far (lowest validation loss). */
    static String bestId(Trial trial) {
        return trial.id() + ".best";
    }

    /** Checkpoint name of a finished trial's final weights. */
    static String finalId(Trial trial) {
        return trial.id() + ".final";
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double secondsSoFar(List<EpochRecord> epochs) {
        double s = 0;
        for (EpochRecord r : epochs) {
            s += r.seconds();
        }
        return s;
    }

    private static ObjectNode epochLine(Trial trial, Gemm gemm, int window, EpochRecord r) {
        ObjectNode n = ResultsFile.header("epoch", trial, gemm.name(), window);
        n.put("epoch", r.epoch());
        ResultsFile.putNumber(n, "loss", r.loss());
        ResultsFile.putNumber(n, "accuracy", r.accuracy());
        ResultsFile.putNumber(n, "val_loss", r.valLoss());
        ResultsFile.putNumber(n, "val_accuracy", r.valAccuracy());
        n.put("seconds", r.seconds());
        n.put("peakHeapMb", Provenance.peakHeapMb());
        return n;
    }

    private static ObjectNode resultLine(TrialResult result, Gemm gemm, int window) {
        ObjectNode n = ResultsFile.header("trial", result.trial(), gemm.name(), window);
        n.put("epochs", result.epochs().size());
        n.put("testLoss", result.testLoss());
        n.put("testAccuracy", result.testAccuracy());
        n.put("trainAccuracy", result.trainAccuracy());
        n.put("gap", result.gap());
        n.put("bestEpoch", result.bestEpoch());
        ResultsFile.putNumber(n, "bestTestLoss", result.bestTestLoss());
        ResultsFile.putNumber(n, "bestTestAccuracy", result.bestTestAccuracy());
        n.put("seconds", result.seconds());
        n.put("peakHeapMb", result.peakHeapMb());
        return n;
    }
}
