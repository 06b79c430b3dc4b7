package io.cnn4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.io.AtomicFiles;
import io.cnn4j.io.ModelFileException;
import io.cnn4j.io.ModelJson;
import io.cnn4j.io.SavedModel;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.Parameter;
import io.cnn4j.model.Sequential;
import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.WritableGroupImpl;
import io.jhdf.storage.HdfFileChannel;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.jhdf.exceptions.HdfException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Keras model files in and out (Keras' {@code keras.models.load_model} / {@code model.save}): the
 * Keras 2 HDF5 full-model file ({@code .h5}), Keras 2 {@code save_weights} HDF5 files with a
 * {@code to_json()} architecture, and the Keras 3 archive ({@code .keras}). HDF5 is read and written
 * with jHDF.
 *
 * <p>Layouts followed (Keras sources, keras-team/keras and keras-team/tf-keras):
 * <ul>
 *   <li>.h5 full model, tf-keras {@code saving/legacy/hdf5_format.py} {@code save_model_to_hdf5} and
 *       Keras 3 {@code src/legacy/saving/legacy_h5_format.py}: root attributes {@code keras_version},
 *       {@code backend} and {@code model_config} (the JSON of {class_name, config}); group
 *       {@code model_weights} written by {@code save_weights_to_hdf5_group}: attribute
 *       {@code layer_names}, one group per layer with attribute {@code weight_names}
 *       ("conv2d/kernel:0", ...) and one dataset per weight at that (nested) path.</li>
 *   <li>save_weights .h5: the same layer groups at the file's root.</li>
 *   <li>.keras, Keras 3 {@code src/saving/saving_lib.py}: a zip with {@code metadata.json}
 *       ({@code _serialize_model_as_json}), {@code config.json} and {@code model.weights.h5}
 *       written by {@code H5IOStore}: each layer's variables at {@code layers/<name>/vars/0..n}
 *       where name is the snake-cased class name with a per-class counter
 *       ({@code _save_container_state}: "conv2d", "conv2d_1", "dense"), not the layer's name.</li>
 * </ul>
 * Weights are matched by position in {@code weight_names} / {@code vars}, as Keras' loaders do.
 */
public final class KerasModels {
    /** The Keras 2 version whose .h5 layout {@link #save} follows (written as {@code keras_version}). */
    public static final String KERAS2_VERSION = "2.15.0";
    /** The Keras 3 version whose .keras layout {@link #save} follows (written in metadata.json). */
    public static final String KERAS3_VERSION = "3.6.0";
    /** Where cnn4j's model-file metadata goes: a root attribute of .h5, a key of .keras' metadata.json. */
    public static final String METADATA_ATTRIBUTE = "cnn4j_metadata";
    /** Largest config.json / metadata.json accepted from a .keras archive. */
    static final long MAX_JSON = 64L << 20;
    /** Largest model.weights.h5 accepted from a .keras archive (it is read into memory). */
    static final long MAX_WEIGHTS = Integer.MAX_VALUE - 64;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where jHDF (and the HDF5 library) put the root group, after a version 2 superblock. */
    private static final long ROOT_GROUP_ADDRESS = 64;

    private KerasModels() {
    }

    /**
     * Loads a Keras model file: {@code .keras} (Keras 3 archive) or {@code .h5}/{@code .hdf5}
     * (Keras 2 full-model HDF5), told apart by content.
     *
     * @param file the model file
     * @return the built model with the file's weights
     * @throws IOException when the file cannot be read or holds what cnn4j cannot compute (the message names the layer)
     */
    public static Sequential load(Path file) throws IOException {
        return read(file).model();
    }

    /**
     * Loads a Keras model file with the cnn4j metadata (data set, class names, preprocessing) that
     * {@link #save(Sequential, ObjectNode, Path)} put in it (empty for files Keras wrote).
     *
     * @param file the .keras or .h5 file
     * @return the model and its metadata
     * @throws IOException when the file cannot be read or holds what cnn4j cannot compute (the message names the layer)
     */
    public static SavedModel read(Path file) throws IOException {
        byte[] head = head(file);
        try {
            if (head.length >= 4 && head[0] == 'P' && head[1] == 'K') {
                return loadArchive(file);
            }
            if (head.length >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F') {
                try (HdfFile h5 = new HdfFile(file)) {
                    Attribute config = h5.getAttribute("model_config");
                    if (config == null) {
                        throw new IllegalArgumentException("HDF5 file without a model_config attribute: a save_weights file? "
                                + "Load it with its to_json() architecture (KerasModels.load(weights, json))");
                    }
                    Sequential model = fromConfig(string(config.getData(), "model_config"));
                    Node weights = h5.getChild("model_weights");
                    if (!(weights instanceof Group g)) {
                        throw new IllegalArgumentException("no model_weights group");
                    }
                    readH5Weights(model, g);
                    Attribute meta = h5.getAttribute(METADATA_ATTRIBUTE);
                    return new SavedModel(model, Optional.empty(), meta == null ? JSON.createObjectNode()
                            : metadata(string(meta.getData(), METADATA_ATTRIBUTE).getBytes(StandardCharsets.UTF_8)));
                }
            }
            throw new IllegalArgumentException("neither a Keras 3 .keras archive (zip) nor a Keras HDF5 file");
        } catch (java.util.zip.ZipException e) {
            throw new ModelFileException(file, "not a readable .keras archive (zip): " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException | HdfException | ArithmeticException | IndexOutOfBoundsException
                 | java.nio.BufferUnderflowException e) {
            throw new ModelFileException(file, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /**
     * Loads a weights file with the architecture from {@code to_json()}: Keras 2 {@code save_weights}
     * HDF5 (layer groups with weight_names) or Keras 3 {@code save_weights("x.weights.h5")}
     * (layers/&lt;name&gt;/vars/0..n, as in a .keras archive).
     *
     * @param weights      the .h5 weights file
     * @param architecture the JSON file written from {@code model.to_json()}
     * @return the built model with the file's weights
     * @throws IOException when a file cannot be read or does not fit the other
     */
    public static Sequential load(Path weights, Path architecture) throws IOException {
        Sequential model;
        if (Files.size(architecture) > MAX_JSON) {
            throw new ModelFileException(architecture, "larger than " + MAX_JSON + " bytes, too large for an architecture JSON");
        }
        try {
            model = fromConfig(Files.readString(architecture, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ModelFileException(architecture, e.getMessage(), e);
        }
        head(weights);
        try (HdfFile h5 = new HdfFile(weights)) {
            Node mw = h5.getChild("model_weights");
            if (mw instanceof Group g) {
                readH5Weights(model, g); // a Keras 2 full-model file
            } else if (h5.getAttribute("layer_names") == null && h5.getChild("layers") instanceof Group) {
                readKeras3Weights(model, h5); // Keras 3 save_weights("x.weights.h5"): H5IOStore's layout
            } else {
                readH5Weights(model, h5); // Keras 2 save_weights
            }
            return model;
        } catch (IllegalArgumentException | IllegalStateException | HdfException | ArithmeticException e) {
            throw new ModelFileException(weights, e.getMessage(), e);
        }
    }

    private static byte[] head(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new ModelFileException(file, "no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(8);
        }
    }

    private static Sequential fromConfig(String json) {
        Sequential model = ModelJson.fromJson(json, 0L);
        model.build();
        return model;
    }

    /** Reads weights laid out by save_weights_to_hdf5_group: layer groups with weight_names, matched by layer name. */
    private static void readH5Weights(Sequential model, Group root) {
        for (Layer l : model.layers()) {
            List<Parameter> params = l.weights();
            if (params.isEmpty()) {
                continue;
            }
            Node g = root.getChild(l.name());
            if (!(g instanceof Group layerGroup)) {
                throw new IllegalArgumentException("layer '" + l.name() + "' has no weights group in the file");
            }
            Attribute wn = layerGroup.getAttribute("weight_names");
            String[] names = wn == null ? new String[0] : strings(wn.getData(), "weight_names of " + l.name());
            if (names.length != params.size()) {
                throw new IllegalArgumentException("layer '" + l.name() + "' (" + l.className() + ") needs " + params.size()
                        + " weights, the file has " + names.length + " " + Arrays.toString(names));
            }
            for (int i = 0; i < names.length; i++) {
                Node d = child(layerGroup, names[i]);
                if (!(d instanceof Dataset ds)) {
                    throw new IllegalArgumentException("layer '" + l.name() + "': weight '" + names[i] + "' is not a dataset");
                }
                copy(ds, params.get(i), l.name() + " " + names[i]);
            }
        }
    }

    /** The node at a relative path, or null (jHDF's getByPath throws for a missing one). */
    private static Node child(Group g, String path) {
        Node n = g;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!(n instanceof Group cur)) {
                return null;
            }
            n = cur.getChildren().get(part);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    private static void copy(Dataset ds, Parameter p, String what) {
        if (!Arrays.equals(ds.getDimensions(), p.shape())) {
            throw new IllegalArgumentException("weight " + what + " has shape " + Arrays.toString(ds.getDimensions())
                    + ", the layer needs " + Arrays.toString(p.shape()));
        }
        Object flat = ds.getDataFlat();
        float[] to = p.value();
        if (flat instanceof float[] f) {
            System.arraycopy(f, 0, to, 0, to.length);
        } else if (flat instanceof double[] d) {
            for (int i = 0; i < to.length; i++) {
                to[i] = (float) d[i];
            }
        } else {
            throw new IllegalArgumentException("weight " + what + " has data type " + ds.getJavaType().getSimpleName()
                    + "; only float32 and float64 are supported");
        }
    }

    private static String string(Object data, String what) {
        if (data instanceof String s) {
            return s;
        }
        if (data instanceof String[] a && a.length == 1) {
            return a[0];
        }
        throw new IllegalArgumentException(what + " is not a string attribute");
    }

    private static String[] strings(Object data, String what) {
        if (data instanceof String[] a) {
            return a;
        }
        if (data instanceof String s) {
            return new String[]{s};
        }
        if (data instanceof double[] d && d.length == 0 || data instanceof float[] f && f.length == 0) {
            return new String[0]; // h5py writes an empty list as an empty float64 array
        }
        throw new IllegalArgumentException(what + " is not a list of strings");
    }

    // ---------------------------------------------------------------- .keras (Keras 3)

    private static ObjectNode metadata(byte[] json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n != null && n.isObject()) {
                return (ObjectNode) n;
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cnn4j metadata is not JSON: " + e.getMessage());
        }
        throw new IllegalArgumentException("cnn4j metadata is not a JSON object");
    }

    private static SavedModel loadArchive(Path file) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String n = e.getName();
                long limit = n.equals("model.weights.h5") ? MAX_WEIGHTS : n.endsWith(".json") ? MAX_JSON : 0;
                if (limit == 0) {
                    continue; // assets/ and anything else a Sequential of supported layers does not use
                }
                byte[] b = zip.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
                if (b.length > limit) {
                    throw new IllegalArgumentException("archive member " + n + " is larger than " + limit + " bytes");
                }
                entries.put(n, b);
            }
        }
        if (!entries.containsKey("config.json")) {
            throw new IllegalArgumentException("not a Keras 3 .keras archive: no config.json");
        }
        if (!entries.containsKey("model.weights.h5")) {
            throw new IllegalArgumentException("the .keras archive has no model.weights.h5 (npz weights are not supported)");
        }
        Sequential model = fromConfig(new String(entries.get("config.json"), StandardCharsets.UTF_8));
        try (HdfFile h5 = HdfFile.fromBytes(entries.get("model.weights.h5"))) {
            readKeras3Weights(model, h5);
        }
        ObjectNode metadata = JSON.createObjectNode();
        if (entries.containsKey("metadata.json")) {
            JsonNode cnn4j = metadata(entries.get("metadata.json")).get(METADATA_ATTRIBUTE);
            if (cnn4j instanceof ObjectNode o) {
                metadata = o;
            }
        }
        return new SavedModel(model, Optional.empty(), metadata);
    }

    /** Reads H5IOStore's layout: layers/<snake-cased class>[_k]/vars/0..n in the order of the model's layers. */
    private static void readKeras3Weights(Sequential model, Group h5) {
        Map<String, Integer> used = new HashMap<>();
        for (Layer l : model.layers()) {
            String path = "layers/" + containerName(l.className(), used);
            List<Parameter> params = l.weights();
            Node vars = child(h5, path + "/vars");
            int n = vars instanceof Group g ? g.getChildren().size() : 0;
            if (n != params.size()) {
                throw new IllegalArgumentException("layer '" + l.name() + "' (" + l.className() + ") needs " + params.size()
                        + " weights, the weights file has " + n + " at " + path + "/vars");
            }
            for (int i = 0; i < n; i++) {
                Node d = ((Group) vars).getChild(Integer.toString(i));
                if (!(d instanceof Dataset ds)) {
                    throw new IllegalArgumentException("layer '" + l.name() + "': " + path + "/vars/" + i + " is not a dataset");
                }
                copy(ds, params.get(i), l.name() + " " + path + "/vars/" + i);
            }
        }
    }

    /** saving_lib's _save_container_state name: snake-cased class name, "_k" from the second of a class on. */
    private static String containerName(String className, Map<String, Integer> used) {
        String name = KerasLayers.toSnakeCase(className);
        Integer k = used.get(name);
        if (k == null) {
            used.put(name, 0);
            return name;
        }
        used.put(name, k + 1);
        return name + "_" + (k + 1);
    }

    // ---------------------------------------------------------------- export

    /**
     * Writes the model as a Keras file, atomically: {@code .keras} (Keras 3 archive) or {@code .h5}
     * (Keras 2 full-model HDF5), by the file's extension.
     *
     * @param model a built model of layers Keras has
     * @param file  the .keras or .h5 file
     * @throws IOException when the file cannot be written
     */
    public static void save(Sequential model, Path file) throws IOException {
        save(model, null, file);
    }

    /**
     * Writes the model as a Keras file with cnn4j's metadata (data set, class names, preprocessing):
     * in .keras as key {@value #METADATA_ATTRIBUTE} of metadata.json, in .h5 as a root attribute
     * of that name; Keras ignores both.
     *
     * @param model    a built model of layers Keras has
     * @param metadata what a .cnn4j file holds beside the model, or null
     * @param file     the .keras or .h5 file
     * @throws IOException when the file cannot be written
     */
    public static void save(Sequential model, ObjectNode metadata, Path file) throws IOException {
        if (!model.isBuilt()) {
            throw new IllegalArgumentException("the model must be built before it is exported to Keras");
        }
        for (Layer l : model.layers()) {
            KerasLayers.weightNames(l); // refuses layers Keras has not before anything is written
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".keras")) {
            byte[] weights = h5Bytes(file, h5 -> writeKeras3Weights(model, h5));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                ObjectNode meta = JSON.createObjectNode();
                meta.put("keras_version", KERAS3_VERSION);
                meta.put("date_saved", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
                if (metadata != null && !metadata.isEmpty()) {
                    meta.set(METADATA_ATTRIBUTE, metadata);
                }
                put(zip, "metadata.json", JSON.writeValueAsBytes(meta));
                put(zip, "config.json", JSON.writeValueAsBytes(KerasConfigs.keras3(model)));
                put(zip, "model.weights.h5", weights);
            }
            AtomicFiles.write(file, bytes.toByteArray());
        } else if (name.endsWith(".h5") || name.endsWith(".hdf5")) {
            byte[] h5 = h5Bytes(file, f -> {
                writeKeras2Model(model, f);
                if (metadata != null && !metadata.isEmpty()) {
                    f.putAttribute(METADATA_ATTRIBUTE, JSON.writeValueAsString(metadata));
                }
            });
            AtomicFiles.write(file, h5);
        } else {
            throw new IllegalArgumentException(file + ": a Keras file must end in .keras or .h5");
        }
    }

    /**
     * Writes a Keras 2 {@code save_weights} HDF5 file (layer groups at the root); pair it with
     * {@link #toJson} for Keras' {@code model_from_json}.
     *
     * @param model a built model of layers Keras has
     * @param file  the .h5 file
     * @throws IOException when the file cannot be written
     */
    public static void saveWeights(Sequential model, Path file) throws IOException {
        for (Layer l : model.layers()) {
            KerasLayers.weightNames(l);
        }
        AtomicFiles.write(file, h5Bytes(file, f -> writeLayerGroups(model, f)));
    }

    /**
     * The Keras 2 {@code model.to_json()} text of the model's architecture.
     *
     * @param model a built model
     * @return JSON text
     */
    public static String toJson(Sequential model) {
        ObjectNode root = KerasConfigs.keras2(model);
        root.put("keras_version", KERAS2_VERSION);
        root.put("backend", "tensorflow");
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface H5Writer {
        void write(WritableGroup root) throws IOException;
    }

    /**
     * Writes an HDF5 file with jHDF's writable groups and datasets into a temporary file beside the
     * target and returns its bytes, after reading them back completely.
     *
     * <p>The file is flushed here rather than by {@code WritableHdfFile.close()}: jHDF 0.9.4's
     * flush writes an information string at the channel's relative position, which after the last
     * dataset is the place of any group written after it, so such a group (an empty {@code vars}
     * of Keras 3, a weightless layer's group of Keras 2) came out corrupt. The steps are the same
     * as jHDF's (root group at address 64, superblock v2 with the end-of-file address at 0).
     */
    private static byte[] h5Bytes(Path target, H5Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".h5.tmp");
        try {
            try (FileChannel fc = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Superblock.SuperblockV2V3 superblock = new Superblock.SuperblockV2V3();
                HdfFileChannel channel = new HdfFileChannel(fc, superblock);
                WritableGroupImpl root = new WritableGroupImpl(null, "/");
                writer.write(root);
                long end = root.write(channel, ROOT_GROUP_ADDRESS);
                channel.write(superblock.toBuffer(Math.max(end, fc.size())), 0L);
                fc.force(true);
            } catch (HdfException e) {
                throw new IOException(target + ": jHDF could not write the file (" + e.getMessage() + ")", e);
            }
            byte[] bytes = Files.readAllBytes(tmp);
            // read everything back before the file is published: a writer bug must not leave a corrupt model file
            try (HdfFile check = HdfFile.fromBytes(bytes)) {
                walk(check);
            } catch (HdfException e) {
                throw new IOException(target + ": the HDF5 file written by jHDF does not read back (" + e.getMessage() + ")", e);
            }
            return bytes;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void walk(Group g) {
        for (Node n : g.getChildren().values()) {
            n.getAttributes();
            if (n instanceof Group child) {
                walk(child);
            } else if (n instanceof Dataset d) {
                d.getDataFlat();
            }
        }
    }

    private static void writeKeras2Model(Sequential model, WritableGroup f) throws IOException {
        // hdf5_format.save_model_to_hdf5: keras_version, backend, model_config as root attributes
        f.putAttribute("backend", "tensorflow");
        f.putAttribute("keras_version", KERAS2_VERSION);
        f.putAttribute("model_config", JSON.writeValueAsString(KerasConfigs.keras2(model)));
        WritableGroup mw = f.putGroup("model_weights");
        writeLayerGroups(model, mw);
    }

    /** save_weights_to_hdf5_group: layer_names, then per layer a group with weight_names and its datasets. */
    private static void writeLayerGroups(Sequential model, WritableGroup g) {
        g.putAttribute("backend", "tensorflow");
        g.putAttribute("keras_version", KERAS2_VERSION);
        List<String> layerNames = new ArrayList<>();
        for (Layer l : model.layers()) {
            layerNames.add(l.name());
        }
        g.putAttribute("layer_names", layerNames.toArray(new String[0]));
        for (Layer l : model.layers()) {
            WritableGroup lg = g.putGroup(l.name());
            List<String> names = KerasLayers.weightNames(l);
            if (names.isEmpty()) {
                // h5py writes [] as an empty float64 array, which jHDF cannot write (nor an empty
                // String[]); Keras' load_attributes_from_hdf5_group returns [] for a missing attribute too
                continue;
            }
            String[] weightNames = new String[names.size()];
            WritableGroup inner = lg.putGroup(l.name());
            for (int i = 0; i < names.size(); i++) {
                weightNames[i] = l.name() + "/" + names.get(i) + ":0";
                inner.putDataset(names.get(i) + ":0", shaped(l.weights().get(i)));
            }
            lg.putAttribute("weight_names", weightNames);
        }
    }

    /** saving_lib H5IOStore: "vars" at the root (the model's own, none), layers/<name>/vars/<i> per layer. */
    private static void writeKeras3Weights(Sequential model, WritableGroup f) {
        f.putGroup("vars");
        WritableGroup layers = f.putGroup("layers");
        Map<String, Integer> used = new HashMap<>();
        for (Layer l : model.layers()) {
            List<Parameter> params = l.weights();
            WritableGroup vars = layers.putGroup(containerName(l.className(), used)).putGroup("vars");
            for (int i = 0; i < params.size(); i++) {
                vars.putDataset(Integer.toString(i), shaped(params.get(i)));
            }
        }
    }

    /** A Java multi-dimensional float array of the parameter's shape (jHDF takes the dataset's shape from it). */
    static Object shaped(Parameter p) {
        int[] shape = p.shape();
        float[] v = p.value();
        if (shape.length == 1) {
            return v.clone();
        }
        Object a = java.lang.reflect.Array.newInstance(float.class, shape);
        fill(a, shape, 0, v, 0);
        return a;
    }

    private static int fill(Object a, int[] shape, int axis, float[] v, int off) {
        if (axis == shape.length - 1) {
            System.arraycopy(v, off, a, 0, shape[axis]);
            return off + shape[axis];
        }
        for (int i = 0; i < shape[axis]; i++) {
            off = fill(java.lang.reflect.Array.get(a, i), shape, axis + 1, v, off);
        }
        return off;
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(0);
        zip.putNextEntry(e);
        zip.write(content);
        zip.closeEntry();
    }
}
