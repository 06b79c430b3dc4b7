package io.cnn4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CIFAR-10 binary version (https://www.cs.toronto.edu/~kriz/cifar.html): each record is one label
 * byte (0..9) followed by 3072 pixel bytes, the 1024 red values of the 32×32 image row by row, then
 * the green, then the blue; Keras counterpart: {@code keras.datasets.cifar10.load_data()}, which reads the Python pickle version. Files are data_batch_1.bin … data_batch_5.bin and test_batch.bin.
 * We return NHWC, so the planes are interleaved on reading.
 */
public final class Cifar10Files {
    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    public static final int RECORD = 1 + SIDE * SIDE * CHANNELS;
    public static final int CLASSES = 10;
    public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";

    private Cifar10Files() {
    }

    /** Images (N, 32, 32, 3) as unsigned bytes and labels (N), from one or more batch files in order. */
    public record Batch(UByteArray images, int[] labels) {
    }

    public static Batch read(List<Path> files) throws IOException {
        return read(files, new Source() {
            @Override
            public long size(Path file) throws IOException {
                return Files.size(file);
            }

            @Override
            public InputStream open(Path file) throws IOException {
                return Files.newInputStream(file);
            }
        });
    }

    /** Where the batch files' bytes come from (the file system, or memory in tests). */
    public interface Source {
        /**
         * @param file a batch file
         * @return its length in bytes
         * @throws IOException when it cannot be read
         */
        long size(Path file) throws IOException;

        /**
         * @param file a batch file
         * @return its content
         * @throws IOException when it cannot be read
         */
        InputStream open(Path file) throws IOException;
    }

    /**
     * As {@link #read(List)}, reading through {@code source}; messages name the files.
     *
     * @param files  the batch files, in order
     * @param source their lengths and contents
     * @return images and labels
     * @throws IOException a {@link DataFormatException} naming the file when it is not a CIFAR-10 batch
     */
    public static Batch read(List<Path> files, Source source) throws IOException {
        long total = 0;
        for (Path f : files) {
            long len = source.size(f);
            if (len == 0 || len % RECORD != 0) {
                throw new DataFormatException(f, "size " + len + " bytes is not a positive multiple of the CIFAR-10 record size "
                        + RECORD + " (1 label byte + 32×32×3 pixels); is it the binary version (cifar-10-binary.tar.gz)?");
            }
            total += len / RECORD;
        }
        if (total * (RECORD - 1) > BoundedRead.MAX_BYTES) {
            throw new DataFormatException(files.get(files.size() - 1), "too many CIFAR-10 records for one array: " + total
                    + " in " + files.size() + " files");
        }
        long heap = io.cnn4j.model.MemoryBudget.heapBytes();
        if (5 * total * (RECORD - 1) > heap) {
            // the pixels are used as floats besides the bytes: bound that by the heap before reading
            throw new DataFormatException(files.get(files.size() - 1), total + " CIFAR-10 records need "
                    + io.cnn4j.model.MemoryBudget.describe(5 * total * (RECORD - 1)) + " as bytes and floats, more than this JVM's heap ("
                    + io.cnn4j.model.MemoryBudget.describe(heap) + "); raise it with -Xmx");
        }
        int n = (int) total;
        byte[] pixels = new byte[n * (RECORD - 1)];
        int[] labels = new int[n];
        byte[] rec = new byte[RECORD];
        int plane = SIDE * SIDE;
        int i = 0;
        for (Path f : files) {
            long records = source.size(f) / RECORD;
            try (InputStream in = new java.io.BufferedInputStream(source.open(f), 1 << 16)) {
                for (long r = 0; r < records; r++, i++) {
                    if (BoundedRead.readUpTo(in, rec, 0, RECORD, f) < RECORD) {
                        throw new DataFormatException(f, "truncated at record " + r + " (the file changed while reading?)");
                    }
                    int label = rec[0] & 0xFF;
                    if (label >= CLASSES) {
                        throw new DataFormatException(f, "label " + label + " at index " + r + " is outside the class range [0, " + CLASSES + ")");
                    }
                    labels[i] = label;
                    int base = i * (RECORD - 1);
                    for (int p = 0; p < plane; p++) {
                        for (int c = 0; c < CHANNELS; c++) {
                            pixels[base + p * CHANNELS + c] = rec[1 + c * plane + p];
                        }
                    }
                }
            }
        }
        return new Batch(new UByteArray(new int[]{n, SIDE, SIDE, CHANNELS}, pixels), labels);
    }
}
