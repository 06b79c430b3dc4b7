package io.cnn4j.data;

import io.cnn4j.io.AtomicFiles;
import io.cnn4j.tensor.Shapes;
import io.cnn4j.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy {@code .npy} files (format spec: numpy.lib.format), so arrays move to and from Python:
 * {@code np.save("x.npy", x)} here, {@code NpyFiles.read} there, and back; no Keras counterpart (NumPy's {@code np.save} and {@code np.load}).
 *
 * <p>Layout: the magic {@code \x93NUMPY}, a major and minor version byte, the header length
 * (little-endian uint16 in version 1.0, uint32 in 2.0/3.0), then an ASCII Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with spaces and a
 * newline so that the data starts at a multiple of 64 bytes, then the values in C order.
 *
 * <p>We read versions 1.0, 2.0 and 3.0 and write 1.0. Supported dtypes: float32 ({@code <f4}),
 * uint8 ({@code |u1}) and int64 ({@code <i8}); anything else, big-endian data and
 * {@code fortran_order: True} are refused with a message that says what to do in NumPy.
 */
public final class NpyFiles {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final int MAX_HEADER = 1 << 16;

    private NpyFiles() {
    }

    public static NpyArray read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, file);
        }
    }

    /**
     * Reads a .npy array from a channel (a file, or bytes in memory); {@code file} names it in messages.
     *
     * @param ch   the content, positioned anywhere (it is read from offset 0)
     * @param file the name for messages
     * @return the array
     * @throws IOException a {@link DataFormatException} naming {@code file} when the content is not a supported .npy array
     */
    public static NpyArray read(java.nio.channels.SeekableByteChannel ch, Path file) throws IOException {
        ch.position(0);
        {
            long fileLen = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, file);
            pre.flip();
            if (pre.remaining() < 10) {
                throw new DataFormatException(file, "truncated: " + fileLen + " bytes is too short for a .npy header");
            }
            for (int i = 0; i < MAGIC.length; i++) {
                if (pre.get(i) != MAGIC[i]) {
                    throw new DataFormatException(file, "not a .npy file: the magic number \\x93NUMPY is missing");
                }
            }
            int major = pre.get(6) & 0xFF;
            int minor = pre.get(7) & 0xFF;
            long headerLen;
            int prefix;
            if (major == 1 && minor == 0) {
                headerLen = pre.getShort(8) & 0xFFFF;
                prefix = 10;
            } else if ((major == 2 || major == 3) && minor == 0) {
                if (pre.remaining() < 12) {
                    throw new DataFormatException(file, "truncated: " + fileLen + " bytes is too short for a version " + major + ".0 .npy header");
                }
                headerLen = pre.getInt(8) & 0xFFFFFFFFL;
                prefix = 12;
            } else {
                throw new DataFormatException(file, ".npy format version " + major + "." + minor + " is not supported (1.0, 2.0, 3.0 are)");
            }
            if (headerLen > MAX_HEADER || prefix + headerLen > fileLen) {
                throw new DataFormatException(file, "the .npy header claims " + headerLen + " bytes but the file has " + fileLen
                        + (headerLen > MAX_HEADER ? " (limit " + MAX_HEADER + ")" : ""));
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.position(prefix);
            readFully(ch, hb, file);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header h = parseHeader(header, file);
            long count = Shapes.size(h.shape);
            long dataBytes = count * h.dtype.itemBytes();
            long available = fileLen - prefix - headerLen;
            if (dataBytes != available) {
                throw new DataFormatException(file, "the header declares " + h.dtype.descr() + " shape " + Shapes.toString(h.shape)
                        + " = " + dataBytes + " bytes of data but the file holds " + available
                        + (dataBytes > available ? " (truncated)" : " (trailing bytes)"));
            }
            if (count > Integer.MAX_VALUE - 16) {
                throw new DataFormatException(file, "shape " + Shapes.toString(h.shape) + " has more values than one Java array can hold");
            }
            int n = (int) count;
            ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, data, file);
            data.flip();
            return switch (h.dtype) {
                case FLOAT32 -> {
                    float[] f = new float[n];
                    data.asFloatBuffer().get(f);
                    yield NpyArray.ofFloats(f, h.shape);
                }
                case UINT8 -> NpyArray.ofBytes(data.array(), h.shape);
                case INT64 -> {
                    long[] l = new long[n];
                    data.asLongBuffer().get(l);
                    yield NpyArray.ofLongs(l, h.shape);
                }
            };
        }
    }

    private static void readFully(java.nio.channels.SeekableByteChannel ch, ByteBuffer b, Path file) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                return;
            }
        }
    }

    private record Header(NpyArray.DType dtype, int[] shape) {
    }

    /** Parses the header dict; every problem names the file. */
    static Header parseHeader(String text, Path file) throws DataFormatException {
        Map<String, Object> dict;
        try {
            dict = new DictParser(text).parse();
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, "malformed .npy header " + quote(text) + ": " + e.getMessage());
        }
        for (String k : dict.keySet()) {
            if (!k.equals("descr") && !k.equals("fortran_order") && !k.equals("shape")) {
                throw new DataFormatException(file, "unexpected key '" + k + "' in .npy header " + quote(text));
            }
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new DataFormatException(file, ".npy header has no string 'descr': " + quote(text));
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new DataFormatException(file, ".npy header has no boolean 'fortran_order': " + quote(text));
        }
        if (fortran) {
            throw new DataFormatException(file, "the array is stored in Fortran (column-major) order, which is not supported; "
                    + "save it with np.save(path, np.ascontiguousarray(a))");
        }
        if (!(dict.get("shape") instanceof int[] shape)) {
            throw new DataFormatException(file, ".npy header has no shape tuple: " + quote(text));
        }
        NpyArray.DType dtype = switch (descr) {
            case "<f4" -> NpyArray.DType.FLOAT32;
            case "|u1", "<u1", "u1", ">u1", "=u1" -> NpyArray.DType.UINT8;
            case "<i8" -> NpyArray.DType.INT64;
            default -> throw new DataFormatException(file, "dtype '" + descr + "' is not supported; supported are float32 '<f4', "
                    + "uint8 '|u1' and int64 '<i8' (little-endian). Convert with a.astype(np.float32) before np.save");
        };
        return new Header(dtype, shape);
    }

    private static String quote(String s) {
        String t = s.strip();
        return "\"" + (t.length() > 200 ? t.substring(0, 200) + "…" : t) + "\"";
    }

    public static void write(Path file, Tensor t) throws IOException {
        write(file, NpyArray.of(t));
    }

    /** Writes a version 1.0 .npy file atomically. */
    public static void write(Path file, NpyArray a) throws IOException {
        AtomicFiles.write(file, out -> write(out, a));
    }

    public static void write(OutputStream out, NpyArray a) throws IOException {
        out.write(header(a.dtype(), a.shape()));
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        int n = a.size();
        switch (a.dtype()) {
            case UINT8 -> out.write(a.bytes());
            case FLOAT32 -> {
                float[] f = a.floats();
                for (int i = 0; i < n; i++) {
                    if (b.remaining() < 4) {
                        flush(b, out);
                    }
                    b.putFloat(f[i]);
                }
            }
            case INT64 -> {
                long[] l = a.longs();
                for (int i = 0; i < n; i++) {
                    if (b.remaining() < 8) {
                        flush(b, out);
                    }
                    b.putLong(l[i]);
                }
            }
        }
        flush(b, out);
    }

    private static void flush(ByteBuffer b, OutputStream out) throws IOException {
        out.write(b.array(), 0, b.position());
        b.clear();
    }

    /** The version 1.0 header bytes, exactly as NumPy writes them (padded to 64 bytes, newline-terminated). */
    public static byte[] header(NpyArray.DType dtype, int[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i > 0 ? ", " : "").append(shape[i]);
        }
        if (shape.length == 1) {
            s.append(',');
        }
        s.append(')');
        String dict = "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': " + s + ", }";
        int total = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (ALIGN - total % ALIGN) % ALIGN;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        return b.array();
    }

    /** A parser for the Python literal subset NumPy writes: a dict of str to str, bool or tuple of ints. */
    private static final class DictParser {
        private final String s;
        private int i;

        DictParser(String s) {
            this.s = s;
        }

        Map<String, Object> parse() {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            while (true) {
                skip();
                if (peek() == '}') {
                    i++;
                    break;
                }
                String key = string();
                expect(':');
                Object value = value();
                if (out.put(key, value) != null) {
                    throw new IllegalArgumentException("duplicate key '" + key + "'");
                }
                skip();
                char c = next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("expected ',' or '}' at position " + (i - 1));
                }
            }
            skip();
            if (i != s.length()) {
                throw new IllegalArgumentException("unexpected text after the dict at position " + i);
            }
            return out;
        }

        private Object value() {
            skip();
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (s.startsWith("True", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            throw new IllegalArgumentException("unexpected value at position " + i);
        }

        private int[] tuple() {
            expect('(');
            List<Integer> dims = new ArrayList<>();
            while (true) {
                skip();
                if (peek() == ')') {
                    i++;
                    break;
                }
                int start = i;
                long v = 0;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    v = v * 10 + (s.charAt(i) - '0');
                    if (v > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("dimension at position " + start + " is larger than " + Integer.MAX_VALUE);
                    }
                    i++;
                }
                if (i == start) {
                    throw new IllegalArgumentException("expected a non-negative integer dimension at position " + i);
                }
                if (i < s.length() && s.charAt(i) == 'L') {
                    i++; // Python 2 long suffix
                }
                dims.add((int) v);
                skip();
                char c = next();
                if (c == ')') {
                    break;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("expected ',' or ')' in shape at position " + (i - 1));
                }
            }
            if (dims.size() > 32) {
                throw new IllegalArgumentException("shape has " + dims.size() + " dimensions (NumPy allows at most 32)");
            }
            int[] shape = new int[dims.size()];
            long size = 1;
            for (int k = 0; k < shape.length; k++) {
                shape[k] = dims.get(k);
                size *= shape[k];
                if (size > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("shape " + dims + " has more values than one Java array can hold");
                }
            }
            return shape;
        }

        private String string() {
            skip();
            char q = next();
            if (q != '\'' && q != '"') {
                throw new IllegalArgumentException("expected a quoted string at position " + (i - 1));
            }
            int end = s.indexOf(q, i);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated string at position " + i);
            }
            String v = s.substring(i, end);
            i = end + 1;
            return v;
        }

        private void expect(char c) {
            skip();
            if (next() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at position " + (i - 1));
            }
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end of header");
            }
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }
    }
}
