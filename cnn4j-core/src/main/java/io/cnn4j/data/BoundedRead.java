package io.cnn4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reading helpers that never trust a header: buffers grow with the bytes actually present, so a
 * file that declares 2^31 items but holds ten cannot make us allocate gigabytes.
 */
final class BoundedRead {
    /** Largest byte payload we read into one Java array. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private BoundedRead() {
    }

    /** Opens a file, transparently gunzipping it when it starts with the gzip magic (1f 8b), whatever its name. */
    static InputStream open(Path file) throws IOException {
        return open(Files.newInputStream(file), file);
    }

    /** As {@link #open(Path)} for a stream; {@code file} names it in messages. */
    static InputStream open(InputStream source, Path file) throws IOException {
        InputStream raw = new BufferedInputStream(source, 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (ZipException | java.io.EOFException e) {
                // a damaged or truncated gzip header (EOFException has no message)
                raw.close();
                throw new DataFormatException(file, "corrupt or truncated gzip header (" + e + ")", e);
            }
        }
        return raw;
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** Reads exactly {@code n} header bytes or fails naming the file. */
    static byte[] header(InputStream in, int n, Path file, String what) throws IOException {
        byte[] b = new byte[n];
        int got = readUpTo(in, b, 0, n, file);
        if (got < n) {
            throw new DataFormatException(file, "truncated: the " + what + " needs " + n + " bytes but the file has only " + got);
        }
        return b;
    }

    /**
     * Reads exactly {@code declared} payload bytes and checks that nothing follows. The buffer starts
     * small and doubles, so memory follows the bytes present, not the header's claim.
     */
    static byte[] payload(InputStream in, long declared, Path file, String what) throws IOException {
        if (declared < 0 || declared > MAX_BYTES) {
            throw new DataFormatException(file, "the header declares " + what + " of " + declared
                    + " bytes, more than one Java array can hold (" + MAX_BYTES + ")");
        }
        // the header's size bounds what we decompress (nothing past it is read); the heap bounds the header:
        // the buffer may briefly exist twice while it grows
        long heap = io.cnn4j.model.MemoryBudget.heapBytes();
        if (2 * declared > heap) {
            throw new DataFormatException(file, "the header declares " + what + " of " + declared + " bytes; reading them needs "
                    + io.cnn4j.model.MemoryBudget.describe(2 * declared) + ", more than this JVM's heap ("
                    + io.cnn4j.model.MemoryBudget.describe(heap) + "); raise it with -Xmx");
        }
        int want = (int) declared;
        byte[] buf = new byte[Math.min(want, 1 << 20)];
        int filled = 0;
        while (filled < want) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(want, Math.max(1L << 20, 2L * buf.length)));
            }
            int r = readUpTo(in, buf, filled, buf.length - filled, file);
            if (r == 0) {
                throw new DataFormatException(file, "truncated: the header declares " + what + " of " + declared
                        + " bytes but the file holds only " + filled);
            }
            filled += r;
        }
        int extra = readUpTo(in, new byte[1], 0, 1, file);
        if (extra > 0) {
            throw new DataFormatException(file, "trailing bytes after " + what + " of " + declared
                    + " bytes: the header does not describe the whole file");
        }
        return buf;
    }

    /** Reads until {@code len} bytes or end of stream; returns the count. Gzip damage becomes a DataFormatException. */
    static int readUpTo(InputStream in, byte[] b, int off, int len, Path file) throws IOException {
        int total = 0;
        try {
            while (total < len) {
                int r = in.read(b, off + total, len - total);
                if (r < 0) {
                    break;
                }
                total += r;
            }
        } catch (java.io.EOFException | ZipException e) {
            throw new DataFormatException(file, "corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
        }
        return total;
    }

    static int bigEndianInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }
}
