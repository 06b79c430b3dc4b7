package io.cnn4j.study;

import io.cnn4j.data.DataSplits;
import io.cnn4j.data.Dataset;
import io.cnn4j.data.Datasets;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Data sets from the io.cnn4j.data registry: the embedded Fashion-MNIST subset, and
 * fashion-mnist, mnist, cifar10 from $CNN4J_DATA, ~/.cnn4j/datasets or /usr/share/datasets
 * (fetch them with the data commands' --download).
 */
final class RegistryData {
    private RegistryData() {
    }

    static Dataset[] load(String name) {
        try {
            DataSplits s = Datasets.load(name, (java.nio.file.Path) null);
            return new Dataset[]{s.train(), s.test()};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load data set '" + name + "': " + e.getMessage(), e);
        }
    }
}
