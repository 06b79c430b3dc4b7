package io.cnn4j.study;

/**
 * Which data a study trains on, small enough to travel with each trial.
 *
 * @param name         a registry name (e.g. "fashion-mnist-subset", "fashion-mnist") or
 *                     "synthetic:HxWxC:classes" for generated images
 * @param trainSize    training images used (0 = all), the first ones of the set
 * @param testSize     test images used (0 = all)
 * @param validationFraction the last fraction of the training images held out for validation
 */
public record DataSpec(String name, int trainSize, int testSize, double validationFraction) {
    public DataSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("data set name is missing");
        }
        if (trainSize < 0 || testSize < 0) {
            throw new io.cnn4j.model.InvalidSettingException("--subset and --test-size must be ≥ 0 (0 = all), got " + trainSize + " and " + testSize);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
    }
}
