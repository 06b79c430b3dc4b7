package io.cnn4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdxFilesTest {
    @TempDir
    Path dir;

    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(raw);
        }
        return bo.toByteArray();
    }

    static byte[] images(int n, int h, int w) {
        byte[] d = new byte[n * h * w];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 7 + 3);
        }
        return d;
    }

    @Test
    void readsRawAndGzipIdenticallyAndScalesToUnitRange() throws IOException {
        byte[] raw = idx(8, new int[]{3, 2, 4}, images(3, 2, 4));
        Path a = Files.write(dir.resolve("x-idx3-ubyte"), raw);
        Path b = Files.write(dir.resolve("x-idx3-ubyte.gz"), gzip(raw));
        UByteArray ra = IdxFiles.readImages(a);
        assertThat(ra).isEqualTo(IdxFiles.readImages(b));
        assertThat(ra.shape()).containsExactly(3, 2, 4);
        assertThat(ra.get(5)).isEqualTo((5 * 7 + 3) & 0xFF);
        var t = ra.toImages();
        assertThat(t.shape()).containsExactly(3, 2, 4, 1);
        assertThat(t.data()[5]).isEqualTo(((5 * 7 + 3) & 0xFF) / 255f);
        for (float v : t.data()) {
            assertThat(v).isBetween(0f, 1f);
        }
    }

    @Test
    void writerRoundTrips() throws IOException {
        UByteArray a = new UByteArray(new int[]{2, 3, 3}, images(2, 3, 3));
        for (boolean gz : new boolean[]{true, false}) {
            Path p = dir.resolve("w" + gz);
            try (var out = Files.newOutputStream(p)) {
                IdxFiles.write(out, a, gz);
            }
            assertThat(IdxFiles.read(p)).isEqualTo(a);
            assertThat(BoundedRead.isGzip(p)).isEqualTo(gz);
        }
    }

    @Test
    void headerClaimingTwoToThe31ImagesFailsWithoutAllocating() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + 100);
        b.put(new byte[]{0, 0, 8, 3}).putInt(Integer.MIN_VALUE).putInt(28).putInt(28);
        Path p = Files.write(dir.resolve("huge-idx3-ubyte"), b.array());
        assertThatThrownBy(() -> IdxFiles.read(p)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("2147483648");
        // plausible count but far more than the file holds: reported as truncation, and in gzip too
        ByteBuffer c = ByteBuffer.allocate(16 + 100);
        c.put(new byte[]{0, 0, 8, 3}).putInt(60000).putInt(28).putInt(28);
        Path q = Files.write(dir.resolve("short-idx3-ubyte.gz"), gzip(c.array()));
        assertThatThrownBy(() -> IdxFiles.read(q)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(q.toString()).hasMessageContaining("truncated").hasMessageContaining("47040000");
    }

    @Test
    void badMagicTypeRankAndTrailingBytesAreNamed() throws IOException {
        Path magic = Files.write(dir.resolve("m"), new byte[]{1, 2, 8, 1, 0, 0, 0, 1, 5});
        assertThatThrownBy(() -> IdxFiles.read(magic)).hasMessageContaining("not an IDX file").hasMessageContaining(magic.toString());
        Path type = Files.write(dir.resolve("t"), idx(0x0D, new int[]{1}, new byte[4]));
        assertThatThrownBy(() -> IdxFiles.read(type)).hasMessageContaining("0x0d").hasMessageContaining("not supported");
        Path rank = Files.write(dir.resolve("r"), new byte[]{0, 0, 8, 0});
        assertThatThrownBy(() -> IdxFiles.read(rank)).hasMessageContaining("rank 0");
        byte[] ok = idx(8, new int[]{2}, new byte[]{1, 2});
        byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 3);
        Path tr = Files.write(dir.resolve("tr"), trailing);
        assertThatThrownBy(() -> IdxFiles.read(tr)).hasMessageContaining("trailing bytes");
        Path empty = Files.write(dir.resolve("e"), new byte[0]);
        assertThatThrownBy(() -> IdxFiles.read(empty)).isInstanceOf(DataFormatException.class).hasMessageContaining("truncated");
        Path zeroDim = Files.write(dir.resolve("z"), idx(8, new int[]{0}, new byte[0]));
        assertThatThrownBy(() -> IdxFiles.read(zeroDim)).hasMessageContaining("dimension 0 is 0");
    }

    @Test
    void labelOutsideClassRangeNamesFileAndIndex() throws IOException {
        Path p = Files.write(dir.resolve("labels-idx1-ubyte"), idx(8, new int[]{4}, new byte[]{0, 9, 10, 1}));
        assertThatThrownBy(() -> IdxFiles.readLabels(p, 10)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("label 10 at index 2");
        assertThat(IdxFiles.readLabels(p, 11)).containsExactly(0, 9, 10, 1);
        assertThatThrownBy(() -> IdxFiles.readImages(p)).hasMessageContaining("rank 3");
    }

    @Test
    void corruptGzipIsAFormatError() throws IOException {
        byte[] gz = gzip(idx(8, new int[]{100}, new byte[100]));
        byte[] cut = java.util.Arrays.copyOf(gz, gz.length / 2);
        Path p = Files.write(dir.resolve("cut.gz"), cut);
        assertThatThrownBy(() -> IdxFiles.read(p)).isInstanceOf(DataFormatException.class).hasMessageContaining(p.toString());
    }
}
