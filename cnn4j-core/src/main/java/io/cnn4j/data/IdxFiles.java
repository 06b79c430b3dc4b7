package io.cnn4j.data;

import io.cnn4j.tensor.Shapes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte
 * magic {@code 00 00 type rank}, then {@code rank} big-endian 32-bit dimensions, then the values in
 * row-major order; no Keras counterpart (read inside {@code keras.datasets.fashion_mnist}). Only type 0x08 (unsigned byte) is supported: that is what the image and label
 * files use. Files may be gzip-compressed (detected from the content, not the name).
 *
 * <p>The header is checked before anything is allocated from it: the magic, the type, a rank of
 * 1 to 4, positive dimensions whose product fits one array, and then that exactly that many bytes
 * follow — no fewer (truncated) and no more (trailing bytes).
 */
public final class IdxFiles {
    /** IDX type code of unsigned bytes. */
    public static final int UBYTE = 0x08;

    private IdxFiles() {
    }

    /** Reads an unsigned-byte IDX file (raw or gzip). */
    public static UByteArray read(Path file) throws IOException {
        return read(Files.newInputStream(file), file);
    }

    /** Reads an IDX stream (raw or gzip) and closes it; {@code file} names it in messages. */
    public static UByteArray read(InputStream source, Path file) throws IOException {
        try (InputStream in = BoundedRead.open(source, file)) {
            byte[] magic = BoundedRead.header(in, 4, file, "IDX magic number");
            if (magic[0] != 0 || magic[1] != 0) {
                throw new DataFormatException(file, String.format(
                        "not an IDX file: magic number starts with %02x %02x, expected 00 00", magic[0] & 0xFF, magic[1] & 0xFF));
            }
            int type = magic[2] & 0xFF;
            if (type != UBYTE) {
                throw new DataFormatException(file, String.format(
                        "IDX value type 0x%02x is not supported; only 0x08 (unsigned byte, as in MNIST) is", type));
            }
            int rank = magic[3] & 0xFF;
            if (rank < 1 || rank > 4) {
                throw new DataFormatException(file, "IDX rank " + rank + " is not supported; expected 1 to 4 dimensions");
            }
            byte[] dimBytes = BoundedRead.header(in, 4 * rank, file, "IDX header (" + rank + " dimensions)");
            int[] shape = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++) {
                long d = BoundedRead.bigEndianInt(dimBytes, 4 * i) & 0xFFFFFFFFL;
                if (d == 0 || d > Integer.MAX_VALUE) {
                    throw new DataFormatException(file, "IDX dimension " + i + " is " + d + "; dimensions must be 1 to " + Integer.MAX_VALUE);
                }
                shape[i] = (int) d;
                size *= d;
                if (size > BoundedRead.MAX_BYTES) {
                    throw new DataFormatException(file, "the IDX header declares shape " + describe(dimBytes, rank)
                            + ", more than one Java array can hold (" + BoundedRead.MAX_BYTES + " bytes)");
                }
            }
            // the pixels are used as floats (4 bytes each) besides the bytes read: bound that by the heap before reading
            long heap = io.cnn4j.model.MemoryBudget.heapBytes();
            if (5 * size > heap) {
                throw new DataFormatException(file, "the IDX header declares shape " + Shapes.toString(shape) + " (" + size
                        + " values); as bytes and floats they need " + io.cnn4j.model.MemoryBudget.describe(5 * size)
                        + ", more than this JVM's heap (" + io.cnn4j.model.MemoryBudget.describe(heap) + "); raise it with -Xmx");
            }
            byte[] data = BoundedRead.payload(in, size, file, "IDX data " + Shapes.toString(shape));
            return new UByteArray(shape, data);
        }
    }

    private static String describe(byte[] dims, int rank) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < rank; i++) {
            sb.append(i > 0 ? ", " : "").append(BoundedRead.bigEndianInt(dims, 4 * i) & 0xFFFFFFFFL);
        }
        return sb.append(')').toString();
    }

    /** Reads images (N, H, W) from an IDX file; fails naming the file unless the rank is 3. */
    public static UByteArray readImages(Path file) throws IOException {
        return checkImages(read(file), file);
    }

    static UByteArray checkImages(UByteArray a, Path file) throws DataFormatException {
        if (a.shape().length != 3) {
            throw new DataFormatException(file, "expected images of rank 3 (count, rows, columns), got shape " + Shapes.toString(a.shape()));
        }
        return a;
    }

    /** Reads labels (N) from an IDX file and checks each is in [0, classes); the error names the file and index. */
    public static int[] readLabels(Path file, int classes) throws IOException {
        return checkLabels(read(file), file, classes);
    }

    static int[] checkLabels(UByteArray a, Path file, int classes) throws DataFormatException {
        if (a.shape().length != 1) {
            throw new DataFormatException(file, "expected labels of rank 1 (count), got shape " + Shapes.toString(a.shape()));
        }
        int[] labels = new int[a.data().length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = a.get(i);
            if (labels[i] >= classes) {
                throw new DataFormatException(file, "label " + labels[i] + " at index " + i + " is outside the class range [0, " + classes + ")");
            }
        }
        return labels;
    }

    /** Writes an unsigned-byte IDX file, gzip-compressed when {@code gzip}. Not atomic: callers write to a temp file. */
    public static void write(OutputStream out, UByteArray array, boolean gzip) throws IOException {
        OutputStream o = gzip ? new GZIPOutputStream(out, 1 << 16) : out;
        int[] shape = array.shape();
        byte[] header = new byte[4 + 4 * shape.length];
        header[2] = (byte) UBYTE;
        header[3] = (byte) shape.length;
        for (int i = 0; i < shape.length; i++) {
            int d = shape[i];
            header[4 + 4 * i] = (byte) (d >>> 24);
            header[5 + 4 * i] = (byte) (d >>> 16);
            header[6 + 4 * i] = (byte) (d >>> 8);
            header[7 + 4 * i] = (byte) d;
        }
        o.write(header);
        o.write(array.data());
        if (o instanceof GZIPOutputStream g) {
            g.finish();
        }
        o.flush();
    }
}
