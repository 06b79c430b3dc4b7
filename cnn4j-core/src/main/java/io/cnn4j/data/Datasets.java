package io.cnn4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Data sets by name: {@code fashion-mnist}, {@code mnist}, {@code cifar10}, and the embedded
 * {@code fashion-mnist-subset} (the default when no data set is named; it ships inside cnn4j-core,
 * so it works offline on a fresh machine); Keras counterpart: {@code keras.datasets}.
 *
 * <p>A named data set is looked up, in order, in: the directory given with {@code --data-dir}
 * (the files directly in it, or in its subdirectory {@code <name>}), {@code $CNN4J_DATA} (likewise),
 * {@code ~/.cnn4j/datasets/<name>}, and the Debian locations ({@code /usr/share/datasets/<name>},
 * filled by {@code apt-get install dataset-fashion-mnist}). When none holds the files the error
 * lists every place it looked and how to get the data.
 *
 * <p>Images come back as NHWC float32 scaled to [0, 1] (pixel / 255), labels as ints.
 */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String MNIST = "mnist";
    public static final String CIFAR10 = "cifar10";
    public static final String EMBEDDED = "fashion-mnist-subset";
    /** What is used when no data set is named. */
    public static final String DEFAULT = EMBEDDED;
    public static final List<String> NAMES = List.of(FASHION_MNIST, MNIST, CIFAR10, EMBEDDED);

    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final List<String> DIGIT_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /** The four IDX files of MNIST-layout data sets, in the order train images, train labels, test images, test labels. */
    public static final List<String> IDX_FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /** Classpath directory of the embedded subset. */
    public static final String EMBEDDED_RESOURCE = "/io/cnn4j/data/fashion-mnist-subset/";

    /** Official source of a file and its SHA-256. */
    public record Remote(String file, URI url, String sha256) {
    }

    private static final String FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    private static final String MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/";
    private static final Map<String, List<Remote>> REMOTES = Map.of(
            FASHION_MNIST, List.of(
                    new Remote("train-images-idx3-ubyte.gz", URI.create(FASHION_URL + "train-images-idx3-ubyte.gz"),
                            "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
                    new Remote("train-labels-idx1-ubyte.gz", URI.create(FASHION_URL + "train-labels-idx1-ubyte.gz"),
                            "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
                    new Remote("t10k-images-idx3-ubyte.gz", URI.create(FASHION_URL + "t10k-images-idx3-ubyte.gz"),
                            "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
                    new Remote("t10k-labels-idx1-ubyte.gz", URI.create(FASHION_URL + "t10k-labels-idx1-ubyte.gz"),
                            "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05")),
            MNIST, List.of(
                    new Remote("train-images-idx3-ubyte.gz", URI.create(MNIST_URL + "train-images-idx3-ubyte.gz"),
                            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                    new Remote("train-labels-idx1-ubyte.gz", URI.create(MNIST_URL + "train-labels-idx1-ubyte.gz"),
                            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
                    new Remote("t10k-images-idx3-ubyte.gz", URI.create(MNIST_URL + "t10k-images-idx3-ubyte.gz"),
                            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                    new Remote("t10k-labels-idx1-ubyte.gz", URI.create(MNIST_URL + "t10k-labels-idx1-ubyte.gz"),
                            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")),
            CIFAR10, List.of(
                    new Remote("cifar-10-binary.tar.gz", URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"),
                            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd")));

    /**
     * Where to look. {@code dataDir} is the user's --data-dir (or null), {@code envDir} the value of
     * $CNN4J_DATA (or null), {@code userHome} the home directory, {@code systemDirs} the Debian roots.
     */
    public record Lookup(Path dataDir, Path envDir, Path userHome, List<Path> systemDirs) {
        public Lookup {
            systemDirs = List.copyOf(systemDirs);
        }

        /** From this process: $CNN4J_DATA, user.home and /usr/share/datasets. */
        public static Lookup fromEnvironment(Path dataDir) {
            String env = System.getenv("CNN4J_DATA");
            return new Lookup(dataDir, env == null || env.isBlank() ? null : Path.of(env),
                    Path.of(System.getProperty("user.home")), List.of(Path.of("/usr/share/datasets")));
        }

        /** ~/.cnn4j/datasets/&lt;name&gt;: where --download puts files. */
        public Path userDir(String name) {
            return userHome.resolve(".cnn4j").resolve("datasets").resolve(name);
        }
    }

    private Datasets() {
    }

    static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "fashion-mnist", "fashionmnist", "fashion" -> FASHION_MNIST;
            case "mnist" -> MNIST;
            case "cifar10", "cifar-10" -> CIFAR10;
            case "fashion-mnist-subset", "embedded", "default" -> EMBEDDED;
            default -> throw new IllegalArgumentException("unknown data set '" + name + "'; known: " + String.join(", ", NAMES)
                    + " (or give a directory with --data-dir)");
        };
    }

    /** Loads a data set by name (null: the embedded default), looking in the places {@link Lookup} describes. */
    public static DataSplits load(String name, Lookup lookup) throws IOException {
        String n = name == null ? DEFAULT : canonical(name);
        if (n.equals(EMBEDDED)) {
            return embedded();
        }
        List<Path> searched = candidates(n, lookup);
        for (Path dir : searched) {
            if (holds(n, dir)) {
                return loadFrom(n, dir);
            }
        }
        throw notFound(n, searched, lookup);
    }

    /** Loads a data set by name from this process's environment (see {@link Lookup#fromEnvironment}). */
    public static DataSplits load(String name, Path dataDir) throws IOException {
        return load(name, Lookup.fromEnvironment(dataDir));
    }

    /** The directories searched for {@code name}, in order. */
    public static List<Path> candidates(String name, Lookup lookup) {
        String n = canonical(name);
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        for (Path root : Arrays.asList(lookup.dataDir(), lookup.envDir())) {
            if (root != null) {
                dirs.add(root);
                dirs.add(root.resolve(n));
                if (n.equals(CIFAR10)) {
                    dirs.add(root.resolve("cifar-10-batches-bin"));
                    dirs.add(root.resolve(n).resolve("cifar-10-batches-bin"));
                }
            }
        }
        dirs.add(lookup.userDir(n));
        if (n.equals(CIFAR10)) {
            dirs.add(lookup.userDir(n).resolve("cifar-10-batches-bin"));
        }
        for (Path sys : lookup.systemDirs()) {
            dirs.add(sys.resolve(n));
        }
        return List.copyOf(dirs);
    }

    /** Whether {@code dir} holds the files of data set {@code name}. */
    public static boolean holds(String name, Path dir) {
        String n = canonical(name);
        if (!Files.isDirectory(dir)) {
            return false;
        }
        if (n.equals(CIFAR10)) {
            for (String f : Cifar10Files.TRAIN_FILES) {
                if (!Files.isRegularFile(dir.resolve(f))) {
                    return false;
                }
            }
            return Files.isRegularFile(dir.resolve(Cifar10Files.TEST_FILE));
        }
        for (String f : IDX_FILES) {
            if (idxFile(dir, f) == null) {
                return false;
            }
        }
        return true;
    }

    private static Path idxFile(Path dir, String base) {
        for (String candidate : List.of(base + ".gz", base)) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static DatasetNotFoundException notFound(String n, List<Path> searched, Lookup lookup) {
        StringBuilder sb = new StringBuilder("data set '" + n + "' not found. Looked in:\n");
        for (Path p : searched) {
            sb.append("  ").append(p).append(Files.isDirectory(p) ? " (exists, but files are missing)" : " (no such directory)").append('\n');
        }
        if (lookup.dataDir() == null) {
            sb.append("  (--data-dir not given)\n");
        }
        if (lookup.envDir() == null) {
            sb.append("  ($CNN4J_DATA not set)\n");
        }
        sb.append("Expected files: ");
        sb.append(n.equals(CIFAR10) ? String.join(", ", Cifar10Files.TRAIN_FILES) + ", " + Cifar10Files.TEST_FILE
                : String.join(", ", IDX_FILES.stream().map(f -> f + "[.gz]").toList())).append('\n');
        sb.append("To get the data:\n");
        if (n.equals(FASHION_MNIST)) {
            sb.append("  sudo apt-get install dataset-fashion-mnist   (Debian/Ubuntu; installs into /usr/share/datasets/fashion-mnist)\n");
        }
        sb.append("  cnn4j train --dataset ").append(n).append(" --download   (fetches the official files into ")
                .append(lookup.userDir(n)).append(")\n");
        sb.append("  or put the files in a directory and pass --data-dir DIR (or set CNN4J_DATA)\n");
        sb.append("  or run without --dataset to use the embedded subset '").append(EMBEDDED).append("'");
        return new DatasetNotFoundException(sb.toString(), searched);
    }

    /** Loads data set {@code name} from the files in {@code dir}. */
    public static DataSplits loadFrom(String name, Path dir) throws IOException {
        String n = canonical(name);
        if (n.equals(CIFAR10)) {
            List<Path> train = Cifar10Files.TRAIN_FILES.stream().map(dir::resolve).toList();
            Cifar10Files.Batch tr = Cifar10Files.read(train);
            Cifar10Files.Batch te = Cifar10Files.read(List.of(dir.resolve(Cifar10Files.TEST_FILE)));
            return new DataSplits(n, new Dataset(n + " train", tr.images().toImages(), tr.labels(), 10),
                    new Dataset(n + " test", te.images().toImages(), te.labels(), 10), Cifar10Files.CLASS_NAMES, dir.toString());
        }
        List<Path> files = new ArrayList<>();
        for (String f : IDX_FILES) {
            Path p = idxFile(dir, f);
            if (p == null) {
                throw new DataFormatException(dir.resolve(f + ".gz"), "missing (data set " + n + " needs " + String.join(", ", IDX_FILES) + ")");
            }
            files.add(p);
        }
        List<String> classes = n.equals(MNIST) ? DIGIT_CLASSES : FASHION_CLASSES;
        return idxSplits(n, files.get(0), files.get(1), files.get(2), files.get(3), classes, dir.toString());
    }

    /** Reads four IDX files into train and test sets, checking that image and label counts agree. */
    public static DataSplits idxSplits(String name, Path trainImages, Path trainLabels, Path testImages, Path testLabels,
                                       List<String> classes, String source) throws IOException {
        Dataset train = idxDataset(name + " train", trainImages, trainLabels, classes.size());
        Dataset test = idxDataset(name + " test", testImages, testLabels, classes.size());
        if (!Arrays.equals(train.x().itemShape(), test.x().itemShape())) {
            throw new DataFormatException(testImages, "test images have shape " + Arrays.toString(test.x().itemShape())
                    + " but training images " + Arrays.toString(train.x().itemShape()));
        }
        return new DataSplits(name, train, test, classes, source);
    }

    private static Dataset idxDataset(String name, Path images, Path labels, int classes) throws IOException {
        return idxDataset(name, IdxFiles.readImages(images), images, IdxFiles.readLabels(labels, classes), labels, classes);
    }

    private static Dataset idxDataset(String name, UByteArray x, Path images, int[] y, Path labels, int classes)
            throws DataFormatException {
        if (x.shape()[0] != y.length) {
            throw new DataFormatException(labels, y.length + " labels but " + images.getFileName() + " has " + x.shape()[0] + " images");
        }
        return new Dataset(name, x.toImages(), y, classes);
    }

    /**
     * The embedded class-balanced Fashion-MNIST subset (10,000 training images, 1,000 per class;
     * 2,000 test images, 200 per class), read from cnn4j-core's resources.
     * See {@code io/cnn4j/data/fashion-mnist-subset/PROVENANCE.md}.
     */
    public static DataSplits embedded() throws IOException {
        UByteArray[] parts = new UByteArray[4];
        Path[] names = new Path[4];
        for (int i = 0; i < 4; i++) {
            String res = EMBEDDED_RESOURCE + IDX_FILES.get(i) + ".gz";
            names[i] = Path.of("classpath:" + res);
            InputStream in = Datasets.class.getResourceAsStream(res);
            if (in == null) {
                throw new IOException("embedded data set resource " + res + " is missing from the cnn4j-core jar");
            }
            parts[i] = IdxFiles.read(in, names[i]);
        }
        int classes = FASHION_CLASSES.size();
        Dataset train = idxDataset(EMBEDDED + " train", IdxFiles.checkImages(parts[0], names[0]), names[0],
                IdxFiles.checkLabels(parts[1], names[1], classes), names[1], classes);
        Dataset test = idxDataset(EMBEDDED + " test", IdxFiles.checkImages(parts[2], names[2]), names[2],
                IdxFiles.checkLabels(parts[3], names[3], classes), names[3], classes);
        return new DataSplits(EMBEDDED, train, test, FASHION_CLASSES, "embedded resource " + EMBEDDED_RESOURCE);
    }

    /** The official files of a downloadable data set and their SHA-256. */
    public static List<Remote> remotes(String name) {
        String n = canonical(name);
        List<Remote> r = REMOTES.get(n);
        if (r == null) {
            throw new IllegalArgumentException("data set '" + n + "' is embedded and needs no download");
        }
        return r;
    }

    /**
     * Downloads data set {@code name} into {@code dir} (normally {@code ~/.cnn4j/datasets/<name>})
     * from its official source, checking each file's SHA-256; CIFAR-10's archive is unpacked.
     * Files already present with the right checksum are not fetched again.
     */
    public static Path download(String name, Path dir, Downloads.Progress progress) throws IOException {
        String n = canonical(name);
        for (Remote r : remotes(n)) {
            Downloads.fetch(r.url(), dir.resolve(r.file()), r.sha256(), progress, Duration.ofSeconds(30));
        }
        if (n.equals(CIFAR10)) {
            Path archive = dir.resolve("cifar-10-binary.tar.gz");
            List<String> wanted = new ArrayList<>(Cifar10Files.TRAIN_FILES);
            wanted.add(Cifar10Files.TEST_FILE);
            wanted.add("batches.meta.txt");
            try (InputStream in = new GZIPInputStream(Files.newInputStream(archive), 1 << 16)) {
                Tar.extract(in, archive, wanted, dir);
            }
        }
        return dir;
    }

    /** The minimal ustar reader CIFAR-10's archive needs: regular files picked by base name. */
    static final class Tar {
        private Tar() {
        }

        static void extract(InputStream in, Path archive, List<String> wanted, Path dir) throws IOException {
            byte[] header = new byte[512];
            while (true) {
                int got = BoundedRead.readUpTo(in, header, 0, 512, archive);
                if (got == 0 || isZero(header)) {
                    return;
                }
                if (got < 512) {
                    throw new DataFormatException(archive, "truncated tar header");
                }
                String entry = new String(header, 0, 100, StandardCharsets.US_ASCII).replace("\0", "");
                String sizeField = new String(header, 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim();
                long size;
                try {
                    size = sizeField.isEmpty() ? 0 : Long.parseLong(sizeField, 8);
                } catch (NumberFormatException e) {
                    throw new DataFormatException(archive, "bad tar size field '" + sizeField + "' for entry " + entry);
                }
                char type = (char) header[156];
                String base = entry.substring(entry.lastIndexOf('/') + 1);
                long padded = (size + 511) / 512 * 512;
                if ((type == '0' || type == '\0') && wanted.contains(base)) {
                    Path out = dir.resolve(base);
                    io.cnn4j.io.AtomicFiles.write(out, o -> copy(in, o, size, archive));
                    skip(in, padded - size, archive);
                } else {
                    skip(in, padded, archive);
                }
            }
        }

        private static boolean isZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }

        private static void copy(InputStream in, java.io.OutputStream out, long n, Path archive) throws IOException {
            byte[] buf = new byte[1 << 16];
            long left = n;
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new DataFormatException(archive, "truncated tar entry");
                }
                out.write(buf, 0, r);
                left -= r;
            }
        }

        private static void skip(InputStream in, long n, Path archive) throws IOException {
            copy(in, java.io.OutputStream.nullOutputStream(), n, archive);
        }
    }
}
