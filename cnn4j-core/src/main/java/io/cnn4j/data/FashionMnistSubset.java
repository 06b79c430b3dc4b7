package io.cnn4j.data;

import io.cnn4j.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Cuts the embedded data set: a class-balanced, deterministic subset of Fashion-MNIST; no Keras counterpart. From each of
 * the training and test files it keeps, for every class, the FIRST {@code perClass} images of that
 * class in file order (no randomness), and writes them in their original relative order as gzip IDX
 * files. Defaults: 1,000 per class from train (10,000 images), 200 per class from t10k (2,000).
 *
 * <pre>
 *   java -cp cnn4j-core/target/classes io.cnn4j.data.FashionMnistSubset \
 *       /usr/share/datasets/fashion-mnist cnn4j-core/src/main/resources/io/cnn4j/data/fashion-mnist-subset
 * </pre>
 */
public final class FashionMnistSubset {
    private FashionMnistSubset() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 4) {
            System.err.println("usage: FashionMnistSubset SOURCE_DIR OUT_DIR [TRAIN_PER_CLASS=1000] [TEST_PER_CLASS=200]");
            System.exit(2);
        }
        Path src = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int trainPerClass = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int testPerClass = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        cut(src, out, "train", trainPerClass);
        cut(src, out, "t10k", testPerClass);
    }

    /** Writes {@code <prefix>-images-idx3-ubyte.gz} and {@code <prefix>-labels-idx1-ubyte.gz} with perClass items per class. */
    public static void cut(Path srcDir, Path outDir, String prefix, int perClass) throws IOException {
        Path imagesFile = find(srcDir, prefix + "-images-idx3-ubyte");
        Path labelsFile = find(srcDir, prefix + "-labels-idx1-ubyte");
        UByteArray images = IdxFiles.readImages(imagesFile);
        int[] labels = IdxFiles.readLabels(labelsFile, 10);
        int[] picked = firstPerClass(labels, 10, perClass, labelsFile);
        int[] s = images.shape();
        int item = s[1] * s[2];
        byte[] x = new byte[picked.length * item];
        byte[] y = new byte[picked.length];
        for (int i = 0; i < picked.length; i++) {
            System.arraycopy(images.data(), picked[i] * item, x, i * item, item);
            y[i] = (byte) labels[picked[i]];
        }
        UByteArray xs = new UByteArray(new int[]{picked.length, s[1], s[2]}, x);
        UByteArray ys = new UByteArray(new int[]{picked.length}, y);
        AtomicFiles.write(outDir.resolve(prefix + "-images-idx3-ubyte.gz"), o -> IdxFiles.write(o, xs, true));
        AtomicFiles.write(outDir.resolve(prefix + "-labels-idx1-ubyte.gz"), o -> IdxFiles.write(o, ys, true));
    }

    /** Indices (ascending) of the first {@code perClass} items of every class, in file order. */
    public static int[] firstPerClass(int[] labels, int classes, int perClass, Path file) throws DataFormatException {
        int[] taken = new int[classes];
        int[] out = new int[classes * perClass];
        int n = 0;
        for (int i = 0; i < labels.length && n < out.length; i++) {
            if (taken[labels[i]] < perClass) {
                taken[labels[i]]++;
                out[n++] = i;
            }
        }
        for (int c = 0; c < classes; c++) {
            if (taken[c] < perClass) {
                throw new DataFormatException(file, "class " + c + " has only " + taken[c] + " items, fewer than " + perClass);
            }
        }
        return out;
    }

    private static Path find(Path dir, String base) throws DataFormatException {
        for (String name : List.of(base + ".gz", base)) {
            Path p = dir.resolve(name);
            if (java.nio.file.Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DataFormatException(dir.resolve(base + ".gz"), "missing");
    }
}
