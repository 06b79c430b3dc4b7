package io.cnn4j.onnx;

import io.cnn4j.model.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the test models as .onnx for src/test/python/check_exported_onnx.py (the onnx package's
 * checker with full shape inference); runs only with -Dcnn4j.onnx.exportDir=DIR.
 */
class OnnxExportDump {
    @Test
    @EnabledIfSystemProperty(named = "cnn4j.onnx.exportDir", matches = ".+")
    void dump() throws Exception {
        Path dir = Path.of(System.getProperty("cnn4j.onnx.exportDir"));
        Files.createDirectories(dir);
        for (Map.Entry<String, Sequential> e : TestModels.all().entrySet()) {
            OnnxModels.save(e.getValue(), dir.resolve(e.getKey() + ".onnx"));
        }
    }
}
