package io.cnn4j.data;

import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyFilesTest {
    @TempDir
    Path dir;

    /** A file laid out by hand as numpy 1.x writes np.save("a.npy", np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)). */
    static byte[] handMade(String descr, String shape, byte[] data, boolean fortran) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        int total = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    static byte[] floatsLE(float... f) {
        ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : f) {
            b.putFloat(x);
        }
        return b.array();
    }

    @Test
    void writesTheExactBytesNumpyWrites() throws IOException {
        Tensor t = new Tensor(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyFiles.write(out, NpyArray.of(t));
        byte[] expected = handMade("<f4", "(2, 3)", floatsLE(1, 2, 3, 4, 5, 6), false);
        assertThat(out.toByteArray()).isEqualTo(expected);
        // header is 128 bytes (data 64-aligned) for this dict: 10 + 118
        assertThat(expected.length - 24).isEqualTo(128);
        String header = new String(out.toByteArray(), 10, 118, StandardCharsets.US_ASCII);
        assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }").endsWith("\n");
        // one-dimensional shape gets the trailing comma, as Python tuples do
        ByteArrayOutputStream o1 = new ByteArrayOutputStream();
        NpyFiles.write(o1, NpyArray.ofLabels(new int[]{3, 1}));
        assertThat(new String(o1.toByteArray(), StandardCharsets.US_ASCII)).contains("'shape': (2,), }");
    }

    @Test
    void readsAHandMadeFileExactly() throws IOException {
        Path p = Files.write(dir.resolve("a.npy"), handMade("<f4", "(2, 3)", floatsLE(1.5f, -2, 3, 4, 5, Float.MIN_VALUE), false));
        NpyArray a = NpyFiles.read(p);
        assertThat(a.dtype()).isEqualTo(NpyArray.DType.FLOAT32);
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.floats()).containsExactly(1.5f, -2, 3, 4, 5, Float.MIN_VALUE);
        Path u = Files.write(dir.resolve("u.npy"), handMade("|u1", "(2, 2, 1)", new byte[]{0, (byte) 255, 7, 8}, false));
        assertThat(NpyFiles.read(u).bytes()).containsExactly(0, (byte) 255, 7, 8);
        assertThat(NpyFiles.read(u).toTensor().data()).containsExactly(0f, 255f, 7f, 8f);
        ByteBuffer l = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).putLong(1L << 40);
        Path i8 = Files.write(dir.resolve("l.npy"), handMade("<i8", "(2,)", l.array(), false));
        assertThat(NpyFiles.read(i8).longs()).containsExactly(-3L, 1L << 40);
        Path scalar = Files.write(dir.resolve("s.npy"), handMade("<f4", "()", floatsLE(7), false));
        assertThat(NpyFiles.read(scalar).shape()).isEmpty();
        assertThat(NpyFiles.read(scalar).floats()).containsExactly(7f);
    }

    @Test
    void roundTripsAllThreeDtypes() throws IOException {
        NpyArray[] arrays = {NpyArray.ofFloats(new float[]{0.1f, Float.NaN, -0f, 1e30f}, 2, 1, 2),
                NpyArray.ofBytes(new byte[]{1, -1, 0}, 3), NpyArray.ofLongs(new long[]{Long.MIN_VALUE, 0, 5, 6}, 4, 1)};
        for (NpyArray a : arrays) {
            Path p = dir.resolve(a.dtype() + ".npy");
            NpyFiles.write(p, a);
            assertThat(NpyFiles.read(p)).isEqualTo(a);
            assertThat((Files.size(p) - (long) a.size() * a.dtype().itemBytes()) % 64).isZero();
        }
    }

    @Test
    void refusesFortranOrderOtherDtypesAndBadSizesClearly() throws IOException {
        Path f = Files.write(dir.resolve("f.npy"), handMade("<f4", "(2, 3)", new byte[24], true));
        assertThatThrownBy(() -> NpyFiles.read(f)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("Fortran").hasMessageContaining("ascontiguousarray");
        Path d = Files.write(dir.resolve("d.npy"), handMade("<f8", "(3,)", new byte[24], false));
        assertThatThrownBy(() -> NpyFiles.read(d)).hasMessageContaining("dtype '<f8' is not supported");
        Path be = Files.write(dir.resolve("be.npy"), handMade(">f4", "(3,)", new byte[12], false));
        assertThatThrownBy(() -> NpyFiles.read(be)).hasMessageContaining("'>f4'");
        Path shortData = Files.write(dir.resolve("short.npy"), handMade("<f4", "(1000000000, 1000)", new byte[12], false));
        assertThatThrownBy(() -> NpyFiles.read(shortData)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("more values than one Java array");
        Path trunc = Files.write(dir.resolve("t.npy"), handMade("<f4", "(4,)", new byte[12], false));
        assertThatThrownBy(() -> NpyFiles.read(trunc)).hasMessageContaining("truncated");
        Path magic = Files.write(dir.resolve("m.npy"), "PK\3\4 this is an npz".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> NpyFiles.read(magic)).hasMessageContaining("not a .npy file");
        Path garbage = Files.write(dir.resolve("g.npy"), handMade("<f4", "(2, x)", new byte[8], false));
        assertThatThrownBy(() -> NpyFiles.read(garbage)).isInstanceOf(DataFormatException.class).hasMessageContaining("malformed");
    }

    static Path fixture(String name) throws IOException {
        try (var in = NpyFilesTest.class.getResourceAsStream("numpy/" + name)) {
            Path p = Files.createTempFile("numpy-", name);
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    @Test
    void filesWrittenByNumpyReadExactlyAndOurBytesEqualNumpys() throws IOException {
        Path f32 = fixture("f32.npy");
        NpyArray a = NpyFiles.read(f32);
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.floats()).containsExactly(1.5f, -2f, 3f, 4f, 5f, 1e-45f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyFiles.write(out, a);
        assertThat(out.toByteArray()).isEqualTo(Files.readAllBytes(f32));

        Path u8 = fixture("u8.npy");
        NpyArray b = NpyFiles.read(u8);
        assertThat(b.dtype()).isEqualTo(NpyArray.DType.UINT8);
        assertThat(b.shape()).containsExactly(2, 2, 2);
        assertThat(b.toTensor().data()).containsExactly(0f, 36f, 72f, 108f, 144f, 180f, 216f, 252f);
        out.reset();
        NpyFiles.write(out, b);
        assertThat(out.toByteArray()).isEqualTo(Files.readAllBytes(u8));

        Path i64 = fixture("i64.npy");
        NpyArray c = NpyFiles.read(i64);
        assertThat(c.longs()).containsExactly(-3L, 0L, 1L << 40);
        out.reset();
        NpyFiles.write(out, c);
        assertThat(out.toByteArray()).isEqualTo(Files.readAllBytes(i64));

        Path fortran = fixture("fortran.npy");
        assertThatThrownBy(() -> NpyFiles.read(fortran)).hasMessageContaining("Fortran");
        Path f64 = fixture("f64.npy");
        assertThatThrownBy(() -> NpyFiles.read(f64)).hasMessageContaining("'<f8'");
        for (Path p : new Path[]{f32, u8, i64, fortran, f64}) {
            Files.delete(p);
        }
    }
}
