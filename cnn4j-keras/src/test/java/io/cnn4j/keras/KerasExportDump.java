package io.cnn4j.keras;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.model.Sequential;
import io.cnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the test models as .h5 and .keras with cnn4j's predictions beside them, for
 * src/test/python/check_exported_files.py to read the way Keras does; runs only with
 * -Dcnn4j.keras.exportDir=DIR.
 */
class KerasExportDump {
    @Test
    @EnabledIfSystemProperty(named = "cnn4j.keras.exportDir", matches = ".+")
    void dump() throws Exception {
        Path dir = Path.of(System.getProperty("cnn4j.keras.exportDir"));
        Files.createDirectories(dir);
        ObjectMapper om = new ObjectMapper();
        for (Map.Entry<String, Sequential> e : TestModels.all().entrySet()) {
            Sequential m = e.getValue();
            Tensor x = TestModels.input(m, 3, 11);
            float[] y = m.predict(x.copy()).data();
            for (String ext : new String[]{".h5", ".keras"}) {
                String stem = e.getKey() + ext.replace('.', '-');
                KerasModels.save(m, dir.resolve(stem + ext));
                ObjectNode ref = om.createObjectNode();
                ref.set("input_shape", om.valueToTree(x.shape()));
                ref.set("input", om.valueToTree(x.data()));
                ref.set("output", om.valueToTree(y));
                Files.write(dir.resolve(stem + ".expected.json"), om.writeValueAsBytes(ref));
            }
        }
    }
}
