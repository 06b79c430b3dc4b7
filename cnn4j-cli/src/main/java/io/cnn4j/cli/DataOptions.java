package io.cnn4j.cli;

import io.cnn4j.data.DataSplits;
import io.cnn4j.data.DatasetNotFoundException;
import io.cnn4j.data.Datasets;
import io.cnn4j.data.Downloads;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** The options that pick a data set, shared by train and evaluate. */
public final class DataOptions {
    @Option(names = "--dataset", paramLabel = "NAME",
            description = "fashion-mnist, mnist, cifar10 or fashion-mnist-subset (the embedded default: 10,000 train / 2,000 test images)")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "directory with the data set's files (looked at first; then $CNN4J_DATA, ~/.cnn4j/datasets/NAME, /usr/share/datasets/NAME)")
    Path dataDir;

    @Option(names = "--download", description = "download the named data set from its official source (SHA-256 checked) when it is not found")
    boolean download;

    @Option(names = "--limit", paramLabel = "N", description = "use only the first N training and N test images (quick runs)")
    Integer limit;

    /** The data set's name as the registry knows it (null: the embedded default). */
    String name() {
        if (dataset == null && dataDir != null) {
            // a directory without --dataset: CIFAR-10 batches, else MNIST-layout files (class names of Fashion-MNIST)
            boolean cifar = Datasets.holds(Datasets.CIFAR10, dataDir) || Datasets.holds(Datasets.CIFAR10, dataDir.resolve("cifar-10-batches-bin"));
            return cifar ? Datasets.CIFAR10 : Datasets.FASHION_MNIST;
        }
        return dataset;
    }

    DataSplits load(PrintWriter err, boolean terminal) throws IOException {
        if (limit != null) {
            io.cnn4j.model.InvalidSettingException.positive("--limit", limit);
        }
        Datasets.Lookup lookup = Datasets.Lookup.fromEnvironment(dataDir);
        DataSplits s;
        try {
            s = Datasets.load(name(), lookup);
        } catch (DatasetNotFoundException e) {
            if (!download) {
                throw e;
            }
            Path target = lookup.userDir(name());
            err.println("cnn4j: downloading " + name() + " into " + target);
            try (DownloadBar bar = new DownloadBar(err, terminal)) {
                Datasets.download(name(), target, bar);
            }
            s = Datasets.loadFrom(name(), target);
        }
        if (limit != null) {
            s = new DataSplits(s.name(), io.cnn4j.data.Preprocessing.head(s.train(), limit),
                    io.cnn4j.data.Preprocessing.head(s.test(), limit), s.classNames(), s.source());
        }
        return s;
    }

    /** Download progress: a bar on a terminal, a line per file otherwise. */
    static final class DownloadBar implements Downloads.Progress, AutoCloseable {
        private final PrintWriter err;
        private final boolean terminal;
        private ProgressBar bar;
        private String file;

        DownloadBar(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void update(String name, long done, long total) {
            if (!name.equals(file)) {
                close();
                file = name;
                if (terminal) {
                    bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                            .setUnit("MiB", 1 << 20).build();
                } else {
                    err.println("  " + name + (total > 0 ? " (" + total + " bytes)" : ""));
                    err.flush();
                }
            }
            if (bar != null) {
                bar.stepTo(done);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
