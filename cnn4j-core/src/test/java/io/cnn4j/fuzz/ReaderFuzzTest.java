package io.cnn4j.fuzz;

import io.cnn4j.data.DataFormatException;
import io.cnn4j.data.IdxFiles;
import io.cnn4j.data.NpyArray;
import io.cnn4j.data.NpyFiles;
import io.cnn4j.data.UByteArray;
import io.cnn4j.io.ModelFileException;
import io.cnn4j.io.ModelFiles;
import io.cnn4j.io.ModelFuzzHooks;
import io.cnn4j.kernels.ScalarGemm;
import io.cnn4j.layers.Conv2D;
import io.cnn4j.layers.Dense;
import io.cnn4j.layers.Dropout;
import io.cnn4j.layers.Flatten;
import io.cnn4j.layers.MaxPooling2D;
import io.cnn4j.model.Sequential;
import io.cnn4j.optim.Adam;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Mutates valid IDX, NPY and model files (bit flips, byte overwrites, header fields set to extreme
 * values, truncation, appended bytes, and for model files JSON edits with a recomputed checksum)
 * and checks that each reader either returns a result or throws its checked format exception or
 * IllegalArgumentException with a message — never OutOfMemoryError, NegativeArraySizeException,
 * IndexOutOfBoundsException or any other type.
 */
class ReaderFuzzTest {
    private static final int[] EXTREMES = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7FFFFFF0, 65535, 256, 2, 10_000_000};

    static final byte[] IDX_RAW;
    static final byte[] IDX_GZ;
    static final byte[] NPY;
    static final byte[] MODEL;

    static {
        try {
            byte[] px = new byte[5 * 6 * 7];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) (i * 31);
            }
            UByteArray a = new UByteArray(new int[]{5, 6, 7}, px);
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            IdxFiles.write(raw, a, false);
            IDX_RAW = raw.toByteArray();
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            IdxFiles.write(gz, a, true);
            IDX_GZ = gz.toByteArray();
            ByteArrayOutputStream npy = new ByteArrayOutputStream();
            float[] f = new float[2 * 3 * 4];
            Arrays.fill(f, 0.5f);
            NpyFiles.write(npy, NpyArray.ofFloats(f, 2, 3, 4));
            NPY = npy.toByteArray();
            Sequential m = new Sequential(4).gemm(new ScalarGemm());
            m.add(new Conv2D(2, 3, 3).activation("relu").inputShape(6, 6, 1));
            m.add(new MaxPooling2D(2, 2));
            m.add(new Dropout(0.5));
            m.add(new Flatten());
            m.add(new Dense(3, "softmax"));
            m.compile(new Adam(), "categorical_crossentropy", "accuracy");
            m.optimizer().state(m.parameters());
            MODEL = ModelFiles.encode(m, null, null);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Applies 1 to 4 random mutations. */
    static byte[] mutate(byte[] valid, SplittableRandom r, int headerBytes) {
        byte[] b = valid.clone();
        int count = 1 + r.nextInt(4);
        for (int k = 0; k < count; k++) {
            if (b.length == 0) {
                break;
            }
            switch (r.nextInt(6)) {
                case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[r.nextInt(Math.min(b.length, headerBytes))] = (byte) r.nextInt(256);
                case 2 -> { // a 32-bit header field (either byte order) set to an extreme value
                    int at = r.nextInt(Math.max(1, Math.min(b.length, headerBytes) - 3));
                    if (at + 4 <= b.length) {
                        ByteBuffer.wrap(b).order(r.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                                .putInt(at, EXTREMES[r.nextInt(EXTREMES.length)]);
                    }
                }
                case 3 -> b = Arrays.copyOf(b, r.nextInt(b.length));
                case 4 -> b = Arrays.copyOf(b, b.length + 1 + r.nextInt(100));
                default -> {
                    int at = r.nextInt(b.length);
                    b[at] = (byte) (r.nextBoolean() ? 0 : 0xFF);
                }
            }
        }
        return b;
    }

    interface Reader {
        Object read(Path file, byte[] bytes) throws IOException;
    }

    static void check(byte[] bytes, Reader reader, Class<? extends IOException> formatError) {
        Path file = Path.of("fuzz-input.bin");
        try {
            Object result = reader.read(file, bytes);
            assertThat(result).isNotNull();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        } catch (IOException e) {
            assertThat(e).isInstanceOf(formatError);
            assertThat(e.getMessage()).contains("fuzz-input.bin");
        } catch (RuntimeException e) {
            fail("reader threw " + e + " for a mutated file", e);
        }
    }

    @Property(tries = 300)
    void idxReaderRejectsMutatedFilesCleanly(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean gz = r.nextBoolean();
        byte[] bytes = mutate(gz ? IDX_GZ : IDX_RAW, r, gz ? 30 : 16);
        check(bytes, (f, b) -> IdxFiles.read(new ByteArrayInputStream(b), f), DataFormatException.class);
    }

    @Property(tries = 300)
    void npyReaderRejectsMutatedFilesCleanly(@ForAll long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] bytes = mutate(NPY, r, 128);
        Path tmp = Files.createTempFile("fuzz", ".npy");
        try {
            Files.write(tmp, bytes);
            Path named = tmp;
            check(bytes, (f, b) -> {
                try {
                    return NpyFiles.read(named);
                } catch (DataFormatException e) {
                    // the reader names the real temp file; re-point the message check at it
                    assertThat(e.getMessage()).startsWith(named.toString());
                    throw new DataFormatException(f, e.getMessage());
                }
            }, DataFormatException.class);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Property(tries = 300)
    void modelReaderRejectsMutatedFilesCleanly(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] bytes;
        if (r.nextInt(3) == 0) {
            bytes = mutate(MODEL, r, 24); // checksum breaks: must be caught
        } else {
            // a doctored header with a valid checksum: exercises the checks behind the checksum
            bytes = ModelFuzzHooks.mutateHeader(MODEL, r);
        }
        check(bytes, (f, b) -> ModelFiles.decode(b, f, new ScalarGemm()), ModelFileException.class);
    }
}
