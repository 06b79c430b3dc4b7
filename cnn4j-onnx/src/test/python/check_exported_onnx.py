#!/usr/bin/python3
"""Checks cnn4j's ONNX exports with the onnx package's checker (full_check: shape inference too).

    mvn -pl cnn4j-onnx -am test -Dtest=OnnxExportDump -Dcnn4j.onnx.exportDir=/tmp/onnx-export
    /usr/bin/python3 cnn4j-onnx/src/test/python/check_exported_onnx.py /tmp/onnx-export
"""
import os
import sys

import onnx

checked = 0
for name in sorted(os.listdir(sys.argv[1])):
    if name.endswith(".onnx"):
        m = onnx.load(os.path.join(sys.argv[1], name))
        onnx.checker.check_model(m, full_check=True)
        out = m.graph.output[0].type.tensor_type.shape.dim
        print(f"{name}: opset {m.opset_import[0].version}, {len(m.graph.node)} nodes, output {[d.dim_param or d.dim_value for d in out]}: ok")
        checked += 1
assert checked > 0
