package io.cnn4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/** Helpers to doctor model files while keeping them internally consistent (valid sizes and checksum). */
final class FuzzSupport {
    private FuzzSupport() {
    }

    /** Rewrites the JSON header of a model file and fixes the header length and checksum. */
    static byte[] rewriteHeader(byte[] file, UnaryOperator<String> edit) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int j = b.getInt(12);
        long d = b.getLong(16);
        String header = edit.apply(new String(file, 24, j, StandardCharsets.UTF_8));
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(24 + h.length + (int) d + 32).order(ByteOrder.LITTLE_ENDIAN);
        out.put(file, 0, 12).putInt(h.length).putLong(d).put(h).put(file, 24 + j, (int) d);
        out.put(ModelFiles.sha256(out.array(), 0, out.position()));
        return out.array();
    }

    /** Recomputes the trailing checksum after a raw edit. */
    static byte[] fixChecksum(byte[] file) {
        byte[] out = file.clone();
        if (out.length >= 32) {
            System.arraycopy(ModelFiles.sha256(out, 0, out.length - 32), 0, out, out.length - 32, 32);
        }
        return out;
    }
}
