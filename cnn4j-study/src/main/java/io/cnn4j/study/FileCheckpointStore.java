package io.cnn4j.study;

import com.fasterxml.jackson.core.type.TypeReference;
import io.cnn4j.layers.Parameter;
import io.cnn4j.model.Sequential;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Checkpoints as one file per trial: magic "CNN4JSTC", format version, the epoch records as JSON,
 * every parameter array, the optimizer's iteration count and state arrays, and a CRC32 of all
 * preceding bytes. Written to a temporary file and renamed into place. Checked on read: magic,
 * version, array sizes against the model, checksum.
 */
public final class FileCheckpointStore implements CheckpointStore {
    private static final byte[] MAGIC = "CNN4JSTC".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    private final Path dir;

    public FileCheckpointStore(Path dir) {
        this.dir = dir;
    }

    private Path file(String trialId) {
        return dir.resolve(trialId + ".ckpt");
    }

    @Override
    public void save(String trialId, Sequential model, List<EpochRecord> epochs) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(VERSION);
            byte[] json = ResultsFile.JSON.writeValueAsBytes(epochs);
            out.writeInt(json.length);
            out.write(json);
            List<Parameter> params = model.parameters();
            out.writeInt(params.size());
            for (Parameter p : params) {
                writeFloats(out, p.value());
            }
            out.writeLong(model.optimizer().iterations());
            List<float[]> state = model.optimizer().state(params);
            out.writeInt(state.size());
            for (float[] s : state) {
                writeFloats(out, s);
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            Files.createDirectories(dir);
            Path tmp = dir.resolve(trialId + ".ckpt.tmp");
            Files.write(tmp, bytes.toByteArray());
            Files.move(tmp, file(trialId), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint of trial " + trialId + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<List<EpochRecord>> restore(String trialId, Sequential model) {
        Path f = file(trialId);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            byte[] all = Files.readAllBytes(f);
            if (all.length < MAGIC.length + 12) {
                throw new IOException("file is too short (" + all.length + " bytes)");
            }
            CRC32 crc = new CRC32();
            crc.update(all, 0, all.length - 8);
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all));
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a cnn4j study checkpoint (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("checkpoint format version " + version + ", this build reads " + VERSION);
            }
            byte[] json = in.readNBytes(in.readInt());
            List<EpochRecord> epochs = ResultsFile.JSON.readValue(json, new TypeReference<List<EpochRecord>>() {
            });
            List<Parameter> params = model.parameters();
            int n = in.readInt();
            if (n != params.size()) {
                throw new IOException("it has " + n + " parameter arrays, the model has " + params.size());
            }
            float[][] values = new float[n][];
            for (int i = 0; i < n; i++) {
                values[i] = readFloats(in, params.get(i).size(), "parameter " + params.get(i));
            }
            long iterations = in.readLong();
            List<float[]> state = model.optimizer().state(params);
            int ns = in.readInt();
            if (ns != state.size()) {
                throw new IOException("it has " + ns + " optimizer state arrays, the optimizer has " + state.size());
            }
            float[][] stateValues = new float[ns][];
            for (int i = 0; i < ns; i++) {
                stateValues[i] = readFloats(in, state.get(i).length, "optimizer state " + i);
            }
            long stored = in.readLong();
            if (stored != crc.getValue()) {
                throw new IOException("checksum mismatch (file damaged)");
            }
            for (int i = 0; i < n; i++) {
                System.arraycopy(values[i], 0, params.get(i).value(), 0, values[i].length);
            }
            for (int i = 0; i < ns; i++) {
                System.arraycopy(stateValues[i], 0, state.get(i), 0, stateValues[i].length);
            }
            model.optimizer().setIterations(iterations);
            return Optional.of(epochs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore checkpoint " + f + " of trial " + trialId + ": " + e.getMessage()
                    + " (delete it to restart this trial from scratch)", e);
        }
    }

    @Override
    public void delete(String trialId) {
        try {
            Files.deleteIfExists(file(trialId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete checkpoint of trial " + trialId + ": " + e.getMessage(), e);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        for (float v : a) {
            out.writeInt(Float.floatToRawIntBits(v));
        }
    }

    private static float[] readFloats(DataInputStream in, int expected, String what) throws IOException {
        int len = in.readInt();
        if (len != expected) {
            throw new IOException(what + " has " + len + " values, expected " + expected);
        }
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = Float.intBitsToFloat(in.readInt());
        }
        return a;
    }
}
