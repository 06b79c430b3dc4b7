package io.cnn4j.study;

import io.cnn4j.data.Dataset;

import java.util.Locale;

/** Loads the data a {@link DataSpec} names and splits it into train / validation / test. */
public final class StudyDataLoader {
    private StudyDataLoader() {
    }

    public static StudyData load(DataSpec spec) {
        Dataset[] trainTest = raw(spec);
        Dataset train = take(trainTest[0], spec.trainSize(), "training");
        Dataset test = take(trainTest[1], spec.testSize(), "test");
        int nVal = (int) Math.round(train.size() * spec.validationFraction());
        Dataset validation = null;
        if (nVal > 0) {
            validation = train.slice(train.size() - nVal, nVal);
            train = train.slice(0, train.size() - nVal);
        }
        return new StudyData(train, validation, test);
    }

    /**
     * The first {@code n} images (0 = all) in class-interleaved order: the set's own order within
     * each class, classes taken in turn. Any head or tail slice (a subset, the validation split) is
     * then class-balanced even when the file is sorted by class.
     */
    static Dataset take(Dataset d, int n, String what) {
        if (n > d.size()) {
            throw new IllegalArgumentException("asked for " + n + " " + what + " images but " + d.name() + " has " + d.size());
        }
        int count = n == 0 ? d.size() : n;
        java.util.List<java.util.List<Integer>> byClass = new java.util.ArrayList<>();
        for (int c = 0; c < d.classes(); c++) {
            byClass.add(new java.util.ArrayList<>());
        }
        for (int i = 0; i < d.size(); i++) {
            byClass.get(d.labels()[i]).add(i);
        }
        int[] order = new int[count];
        int[] next = new int[d.classes()];
        int k = 0;
        while (k < count) {
            for (int c = 0; c < d.classes() && k < count; c++) {
                if (next[c] < byClass.get(c).size()) {
                    order[k++] = byClass.get(c).get(next[c]++);
                }
            }
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = d.labels()[order[i]];
        }
        return new Dataset(d.name(), d.x().gather(order), labels, d.classes());
    }

    /** {train, test} before subsetting. */
    static Dataset[] raw(DataSpec spec) {
        String name = spec.name().toLowerCase(Locale.ROOT);
        if (name.startsWith("synthetic")) {
            // synthetic:HxWxC:classes
            String[] parts = name.split(":");
            int h = 12, w = 12, c = 1, classes = 4;
            try {
                if (parts.length > 1) {
                    String[] dims = parts[1].split("x");
                    h = Integer.parseInt(dims[0]);
                    w = Integer.parseInt(dims[1]);
                    c = Integer.parseInt(dims[2]);
                }
                if (parts.length > 2) {
                    classes = Integer.parseInt(parts[2]);
                }
            } catch (RuntimeException e) {
                throw new io.cnn4j.model.InvalidSettingException("--data: a synthetic data set must look like synthetic:12x12x1:4 "
                        + "(height x width x channels : classes), got '" + spec.name() + "'");
            }
            // sizes before allocation: positive dimensions, at least two classes, images that fit an array
            io.cnn4j.model.InvalidSettingException.range("--data " + spec.name() + ": height", h, 1, 4096);
            io.cnn4j.model.InvalidSettingException.range("--data " + spec.name() + ": width", w, 1, 4096);
            io.cnn4j.model.InvalidSettingException.range("--data " + spec.name() + ": channels", c, 1, 64);
            io.cnn4j.model.InvalidSettingException.range("--data " + spec.name() + ": classes", classes, 2, 1000);
            int nTrain = spec.trainSize() > 0 ? spec.trainSize() : 512;
            int nTest = spec.testSize() > 0 ? spec.testSize() : 256;
            long bytes = io.cnn4j.model.MemoryBudget.mul(4, io.cnn4j.model.MemoryBudget.mul((long) nTrain + nTest, (long) h * w * c));
            io.cnn4j.model.MemoryBudget.requireHeap(bytes, "--data " + spec.name() + ": " + (nTrain + nTest) + " synthetic images");
            return new Dataset[]{
                    SyntheticImages.generate("train", nTrain, h, w, c, classes, 0.35, 17),
                    SyntheticImages.generate("test", nTest, h, w, c, classes, 0.35, 17)};
        }
        return RegistryData.load(spec.name());
    }
}
