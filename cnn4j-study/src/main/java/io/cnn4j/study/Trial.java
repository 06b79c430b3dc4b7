package io.cnn4j.study;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One unit of work: train one variant from one seed and test it. Self-contained (names, not
 * tensors), so a runner on another machine can execute it from its JSON form.
 *
 * @param studyId   the study it belongs to
 * @param model     base architecture name, e.g. "vgg-like"
 * @param variant   where dropout goes
 * @param seed      the run's seed: same seed, same initial weights and batches in every variant
 * @param training  epochs, batch size, learning rate
 * @param data      which images
 * @param backend   GEMM backend name requested (null = best available)
 * @param threads   GEMM threads for this trial
 */
public record Trial(String studyId, String model, Variant variant, long seed, TrainingSpec training, DataSpec data,
                    String backend, int threads) {
    /** Unique within a study, file-name safe: variant id and seed. */
    @JsonIgnore
    public String id() {
        return variant.id() + "_seed" + seed;
    }
}
