#!/usr/bin/python3
"""Reads Keras files exported by cnn4j the way Keras' own loaders do, with h5py, and checks their outputs.

    mvn -pl cnn4j-keras -am test -Dtest=KerasExportDump -Dcnn4j.keras.exportDir=/tmp/keras-export
    /usr/bin/python3 cnn4j-keras/src/test/python/check_exported_files.py /tmp/keras-export

For every <name>.h5 / <name>.keras with a <name>.expected.json (cnn4j's input and predictions) it
  - .h5: reads model_config from the root attributes, then model_weights like tf-keras'
    hdf5_format.load_weights_from_hdf5_group: layer_names, each layer group's weight_names, each
    weight at that path (a missing weight_names attribute is [] as load_attributes_from_hdf5_group has it);
  - .keras: opens the zip, reads config.json and model.weights.h5 like saving_lib: vars at the root,
    layers/<to_snake_case(class)>[_k]/vars/0..n in model.layers order;
then runs the PyTorch re-implementation of the Keras layers from make_keras_fixtures.py and compares.
"""
import io
import json
import os
import sys
import zipfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from make_keras_fixtures import forward, to_snake_case  # noqa: E402


def attr_list(g, name):
    if name not in g.attrs:
        return []
    return [n.decode("utf8") if hasattr(n, "decode") else str(n) for n in g.attrs[name]]


def layers_of(config):
    layers = config["config"]["layers"]
    return [l for l in layers if l["class_name"] != "InputLayer"]


def read_h5(path):
    with h5py.File(path, "r") as f:
        mc = f.attrs["model_config"]
        config = json.loads(mc.decode("utf8") if hasattr(mc, "decode") else mc)
        assert f.attrs["keras_version"] is not None and f.attrs["backend"] is not None
        g = f["model_weights"]
        names = attr_list(g, "layer_names")
        layers = layers_of(config)
        assert names == [l["config"]["name"] for l in layers], (names, layers)
        weights = []
        for n in names:
            lg = g[n]
            weights.append([np.asarray(lg[w]) for w in attr_list(lg, "weight_names")])
        assert config["config"]["layers"][0]["config"]["batch_input_shape"][0] is None
    return layers, weights


def read_keras(path):
    with zipfile.ZipFile(path) as z:
        assert set(z.namelist()) >= {"metadata.json", "config.json", "model.weights.h5"}, z.namelist()
        config = json.loads(z.read("config.json"))
        meta = json.loads(z.read("metadata.json"))
        assert "keras_version" in meta and "date_saved" in meta
        assert config["module"] == "keras" and config["class_name"] == "Sequential"
        layers = layers_of(config)
        weights = []
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            assert len(f["vars"].keys()) == 0
            used = {}
            for l in layers:
                assert l["module"] == "keras.layers" and "registered_name" in l
                base = to_snake_case(l["class_name"])
                if base in used:
                    used[base] += 1
                    base = f"{base}_{used[base]}"
                else:
                    used[base] = 0
                store = f[f"layers/{base}/vars"]
                weights.append([np.asarray(store[str(i)]) for i in range(len(store.keys()))])
    return layers, weights


def main(directory):
    checked = 0
    for name in sorted(os.listdir(directory)):
        stem, ext = os.path.splitext(name)
        if ext not in (".h5", ".keras"):
            continue
        layers, weights = (read_h5 if ext == ".h5" else read_keras)(os.path.join(directory, name))
        with open(os.path.join(directory, stem + ".expected.json")) as f:
            ref = json.load(f)
        x = np.asarray(ref["input"], dtype=np.float32).reshape(ref["input_shape"])
        y = forward(layers, weights, x)
        diff = float(np.max(np.abs(y.reshape(-1) - np.asarray(ref["output"], dtype=np.float32))))
        print(f"{name}: {len(layers)} layers, max |torch - cnn4j| = {diff:.2e}")
        assert diff <= 1e-5, name
        checked += 1
    assert checked > 0
    print("checked", checked, "files")


if __name__ == "__main__":
    main(sys.argv[1])
