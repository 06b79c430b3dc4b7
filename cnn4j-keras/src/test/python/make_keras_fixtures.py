#!/usr/bin/python3
"""Writes the Keras-format fixtures of cnn4j-keras's tests, with h5py (Keras itself cannot be installed here).

Run from the repository root with Debian's python3-h5py, python3-numpy and python3-torch:
    /usr/bin/python3 cnn4j-keras/src/test/python/make_keras_fixtures.py

Each file follows the layout Keras writes; the Keras source each part follows is cited beside it
(keras-team/tf-keras for Keras 2, keras-team/keras for Keras 3):

  keras2_full.h5                tf-keras keras/saving/legacy/hdf5_format.py, save_model_to_hdf5:
                                root attrs keras_version, backend, model_config (json.dumps of
                                {class_name, config}, utf8-encoded); group model_weights filled by
                                save_weights_to_hdf5_group: attrs layer_names (np.array of utf8
                                bytes), backend, keras_version; a group per layer with attr
                                weight_names (b"conv2d/kernel:0", ...; [] for layers without
                                weights, via save_attributes_to_hdf5_group) and a dataset per
                                weight at that path ("conv2d/kernel:0" -> nested group "conv2d").
  keras2_weights.h5 + .json     Model.save_weights (h5 format) = save_weights_to_hdf5_group at the
                                file's root; Model.to_json() adds keras_version and backend to
                                {class_name, config} (tf-keras keras/engine/training.py, to_json).
  keras3_legacy.h5              Keras 3 model.save("m.h5"), keras/src/legacy/saving/legacy_h5_format.py:
                                the same groups; str attributes (variable-length strings), weight
                                names without ":0".
  keras3.keras                  keras/src/saving/saving_lib.py, _save_model_to_fileobj: a zip with
                                metadata.json ({"keras_version", "date_saved"}, _serialize_model_as_json),
                                config.json (serialize_keras_object(model): module, class_name,
                                config, registered_name, build_config, compile_config) and
                                model.weights.h5 written by H5IOStore: make("") creates "vars" at the
                                root, make(path) creates "<path>/vars"; Layer.save_own_variables
                                stores variables as "0", "1", ...; _save_container_state names the
                                layers of model.layers "layers/<to_snake_case(class name)>" with
                                "_1", "_2" for repeats (not the layer's own name).

Besides each model file, <name>.expected.json holds a non-symmetric NHWC input batch and the
outputs computed from the same weights by an independent PyTorch re-implementation of the Keras
layers (TensorFlow "same" padding, NHWC flatten order) below.
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "keras")
rng = np.random.default_rng(12)


def glorot():
    return {"class_name": "GlorotUniform", "config": {"seed": None}}


def zeros():
    return {"class_name": "Zeros", "config": {}}


# ---------------------------------------------------------------- layer configs as tf.keras 2.15 writes them

def conv2d(name, filters, k, strides=(1, 1), padding="valid", activation="linear", use_bias=True):
    return {"class_name": "Conv2D", "config": {
        "name": name, "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": list(k),
        "strides": list(strides), "padding": padding, "data_format": "channels_last", "dilation_rate": [1, 1],
        "groups": 1, "activation": activation, "use_bias": use_bias, "kernel_initializer": glorot(),
        "bias_initializer": zeros(), "kernel_regularizer": None, "bias_regularizer": None,
        "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}}


def dense(name, units, activation="linear", use_bias=True):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
        "use_bias": use_bias, "kernel_initializer": glorot(), "bias_initializer": zeros(),
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}}


def pool(cls, name, size, strides=None, padding="valid"):
    return {"class_name": cls, "config": {"name": name, "trainable": True, "dtype": "float32", "pool_size": list(size),
                                          "padding": padding, "strides": list(strides or size), "data_format": "channels_last"}}


def simple(cls, name, **kw):
    c = {"name": name, "trainable": True, "dtype": "float32"}
    c.update(kw)
    return {"class_name": cls, "config": c}


def input_layer(shape):
    return {"class_name": "InputLayer", "config": {"batch_input_shape": [None] + list(shape), "dtype": "float32",
                                                   "sparse": False, "ragged": False, "name": "conv2d_input"}}


def keras2_config(name, shape, layers):
    return {"class_name": "Sequential", "config": {"name": name, "layers": [input_layer(shape)] + layers}}


# ---------------------------------------------------------------- weights and the reference forward pass

def make_weights(layers, shape):
    """Random Keras-layout weights per layer, in layer.weights order; tracks the shape like Keras' build."""
    weights = []
    h, w, c = shape
    for layer in layers:
        cls, cfg = layer["class_name"], layer["config"]
        ws = []
        if cls == "Conv2D":
            kh, kw = cfg["kernel_size"]
            ws.append(rng.uniform(-0.5, 0.5, (kh, kw, c, cfg["filters"])).astype(np.float32))
            if cfg["use_bias"]:
                ws.append(rng.uniform(-0.5, 0.5, (cfg["filters"],)).astype(np.float32))
            h, w = out_size(h, kh, cfg["strides"][0], cfg["padding"]), out_size(w, kw, cfg["strides"][1], cfg["padding"])
            c = cfg["filters"]
        elif cls in ("MaxPooling2D", "AveragePooling2D"):
            h = out_size(h, cfg["pool_size"][0], cfg["strides"][0], cfg["padding"])
            w = out_size(w, cfg["pool_size"][1], cfg["strides"][1], cfg["padding"])
        elif cls == "Flatten":
            h, w, c = 1, 1, h * w * c
        elif cls == "ZeroPadding2D":
            (t, b), (l, r) = cfg["padding"]
            h, w = h + t + b, w + l + r
        elif cls in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
            h, w = 1, 1
        elif cls == "BatchNormalization":  # gamma, beta (when scale, center), moving_mean, moving_variance
            if cfg.get("scale", True):
                ws.append(rng.uniform(0.5, 1.5, (c,)).astype(np.float32))
            if cfg.get("center", True):
                ws.append(rng.uniform(-0.5, 0.5, (c,)).astype(np.float32))
            ws.append(rng.uniform(-0.5, 0.5, (c,)).astype(np.float32))
            ws.append(rng.uniform(0.5, 1.5, (c,)).astype(np.float32))
        elif cls == "Dense":
            ws.append(rng.uniform(-0.5, 0.5, (c, cfg["units"])).astype(np.float32))
            if cfg["use_bias"]:
                ws.append(rng.uniform(-0.5, 0.5, (cfg["units"],)).astype(np.float32))
            c = cfg["units"]
        weights.append(ws)
    return weights


def out_size(n, k, s, padding):
    return (n + s - 1) // s if padding == "same" else (n - k) // s + 1


def tf_same_pads(n, k, s):
    out = (n + s - 1) // s
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def activation(x, name, channel_axis):
    return {"linear": lambda t: t, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
            "elu": F.elu, "softmax": lambda t: torch.softmax(t, dim=channel_axis)}[name](x)


def forward(layers, weights, x_nhwc):
    """Keras semantics in PyTorch: NCHW inside, TensorFlow padding, (H, W, C) flatten order."""
    x = torch.from_numpy(x_nhwc).permute(0, 3, 1, 2).double()
    flat = False
    for layer, ws in zip(layers, weights):
        cls, cfg = layer["class_name"], layer["config"]
        if cls == "Conv2D":
            kh, kw = cfg["kernel_size"]
            sh, sw = cfg["strides"]
            if cfg["padding"] == "same":
                t, b = tf_same_pads(x.shape[2], kh, sh)
                l, r = tf_same_pads(x.shape[3], kw, sw)
                x = F.pad(x, (l, r, t, b))
            k = torch.from_numpy(ws[0]).double().permute(3, 2, 0, 1)
            bias = torch.from_numpy(ws[1]).double() if len(ws) > 1 else None
            x = activation(F.conv2d(x, k, bias, stride=(sh, sw)), cfg["activation"], 1)
        elif cls in ("MaxPooling2D", "AveragePooling2D"):
            ph, pw = cfg["pool_size"]
            sh, sw = cfg["strides"]
            pads = (0, 0, 0, 0)
            if cfg["padding"] == "same":
                t, b = tf_same_pads(x.shape[2], ph, sh)
                l, r = tf_same_pads(x.shape[3], pw, sw)
                pads = (l, r, t, b)
            if cls == "MaxPooling2D":
                x = F.max_pool2d(F.pad(x, pads, value=-float("inf")), (ph, pw), (sh, sw))
            else:  # Keras averages the real cells only
                ones = torch.ones_like(x[:, :1])
                x = F.avg_pool2d(F.pad(x, pads), (ph, pw), (sh, sw)) / F.avg_pool2d(F.pad(ones, pads), (ph, pw), (sh, sw))
        elif cls == "Flatten":
            x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
            flat = True
        elif cls == "Dense":
            x = x @ torch.from_numpy(ws[0]).double()
            if len(ws) > 1:
                x = x + torch.from_numpy(ws[1]).double()
            x = activation(x, cfg["activation"], 1)
        elif cls == "Activation":
            x = activation(x, cfg["activation"], 1)
        elif cls == "ZeroPadding2D":
            (t, b), (l, r) = cfg["padding"]
            x = F.pad(x, (l, r, t, b))
        elif cls in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
            x = x.mean(dim=(2, 3), keepdim=True) if cls.startswith("GlobalAverage") else x.amax(dim=(2, 3), keepdim=True)
            if not cfg.get("keepdims", False):
                x = x.reshape(x.shape[0], -1)
                flat = True
        elif cls == "BatchNormalization":  # inference: moving statistics
            k = 0
            gamma = torch.from_numpy(ws[k]).double() if cfg.get("scale", True) else None
            k += 1 if cfg.get("scale", True) else 0
            beta = torch.from_numpy(ws[k]).double() if cfg.get("center", True) else None
            k += 1 if cfg.get("center", True) else 0
            mean, var = torch.from_numpy(ws[k]).double(), torch.from_numpy(ws[k + 1]).double()
            x = F.batch_norm(x, mean, var, gamma, beta, training=False, eps=cfg["epsilon"])
        elif cls == "ReLU":
            t = cfg.get("threshold", 0.0)
            y = torch.where(x > t, x, cfg.get("negative_slope", 0.0) * (x - t))
            if cfg.get("max_value") is not None:
                y = torch.clamp(y, max=cfg["max_value"])
            x = y
        # Dropout / SpatialDropout2D: identity at inference
    if not flat:
        x = x.permute(0, 2, 3, 1)
    return x.float().numpy()


def write_expected(name, layers, weights, shape):
    x = rng.uniform(-1, 1, (3,) + tuple(shape)).astype(np.float32)
    y = forward(layers, weights, x)
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump({"input_shape": list(x.shape), "input": [float(v) for v in x.reshape(-1)],
                   "output_shape": list(y.shape), "output": [float(v) for v in y.reshape(-1)]}, f)


# ---------------------------------------------------------------- Keras 2 HDF5

def save_weights_to_hdf5_group(g, layers, weights):
    """tf-keras hdf5_format.save_weights_to_hdf5_group."""
    g.attrs["layer_names"] = [l["config"]["name"].encode("utf8") for l in layers]
    g.attrs["backend"] = "tensorflow".encode("utf8")
    g.attrs["keras_version"] = "2.15.0".encode("utf8")
    for layer, ws in zip(layers, weights):
        lg = g.create_group(layer["config"]["name"])
        kinds = ["kernel", "bias"][:len(ws)]
        names = [f"{layer['config']['name']}/{k}:0".encode("utf8") for k in kinds]
        lg.attrs["weight_names"] = names  # [] (float64, empty) for weightless layers, as h5py writes it
        for n, v in zip(names, ws):
            d = lg.create_dataset(n, v.shape, dtype=v.dtype)
            d[:] = v


def keras2_full():
    shape = (8, 6, 2)
    layers = [conv2d("conv2d", 4, (3, 3), activation="relu"), pool("MaxPooling2D", "max_pooling2d", (2, 2)),
              simple("Dropout", "dropout", rate=0.25, noise_shape=None, seed=None), simple("Flatten", "flatten", data_format="channels_last"),
              dense("dense", 5, activation="softmax")]
    weights = make_weights(layers, shape)
    with h5py.File(os.path.join(OUT, "keras2_full.h5"), "w") as f:
        f.attrs["keras_version"] = "2.15.0".encode("utf8")
        f.attrs["backend"] = "tensorflow".encode("utf8")
        f.attrs["model_config"] = json.dumps(keras2_config("sequential", shape, layers)).encode("utf8")
        save_weights_to_hdf5_group(f.create_group("model_weights"), layers, weights)
    write_expected("keras2_full", layers, weights, shape)


def keras2_weights_and_json():
    shape = (7, 5, 3)
    layers = [conv2d("conv2d_3", 4, (3, 2), strides=(2, 1), padding="same", activation="tanh", use_bias=False),
              pool("AveragePooling2D", "average_pooling2d", (3, 3), strides=(2, 2), padding="same"),
              simple("SpatialDropout2D", "spatial_dropout2d", rate=0.2, noise_shape=None, seed=None),
              simple("Activation", "activation", activation="elu"),
              simple("Flatten", "flatten_1", data_format="channels_last"),
              dense("dense_7", 4, activation="sigmoid"), dense("dense_8", 3)]
    weights = make_weights(layers, shape)
    with h5py.File(os.path.join(OUT, "keras2_weights.h5"), "w") as f:
        save_weights_to_hdf5_group(f, layers, weights)
    config = keras2_config("sequential_1", shape, layers)
    config["keras_version"] = "2.15.0"
    config["backend"] = "tensorflow"
    with open(os.path.join(OUT, "keras2_weights.json"), "w") as f:
        f.write(json.dumps(config))
    write_expected("keras2_weights", layers, weights, shape)


def keras3_legacy_h5():
    """Keras 3 model.save("m.h5"): keras/src/legacy/saving/legacy_h5_format.py save_model_to_hdf5 writes
    keras_version and backend as Python str (h5py: variable-length strings), model_config as utf8 bytes of
    the Keras 3 config; save_weights_to_hdf5_group names weights by their path without ":0"."""
    shape = (6, 5, 3)
    layers = [conv2d("conv2d", 2, (2, 2), activation="tanh"), simple("Flatten", "flatten", data_format="channels_last"),
              dense("dense", 4, activation="softmax")]
    weights = make_weights(layers, shape)
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True,
              "layers": [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None] + list(shape),
                          "dtype": "float32", "sparse": False, "name": "input_layer"}, "registered_name": None}]
              + [k3(l, "keras.layers") for l in layers]}, "registered_name": None,
              "build_config": {"input_shape": [None] + list(shape)}}
    with h5py.File(os.path.join(OUT, "keras3_legacy.h5"), "w") as f:
        f.attrs["keras_version"] = "3.6.0"          # str: a variable-length string attribute
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = [l["config"]["name"].encode("utf8") for l in layers]
        g.attrs["backend"] = "tensorflow"
        g.attrs["keras_version"] = "3.6.0"
        for layer, ws in zip(layers, weights):
            lg = g.create_group(layer["config"]["name"])
            names = [f"sequential/{layer['config']['name']}/{k}".encode("utf8") for k in ["kernel", "bias"][:len(ws)]]
            lg.attrs["weight_names"] = names
            for n, v in zip(names, ws):
                lg.create_dataset(n, data=v)
    write_expected("keras3_legacy", layers, weights, shape)


# ---------------------------------------------------------------- Keras 3 .keras

def k3(obj, module):
    """serialization_lib.serialize_keras_object's envelope."""
    return {"module": module, "class_name": obj["class_name"], "config": obj["config"], "registered_name": None}


def keras3_archive():
    shape = (9, 7, 2)
    layers = [conv2d("conv2d", 3, (3, 3), padding="same", activation="relu"),
              conv2d("conv2d_1", 4, (2, 2), strides=(2, 2)),
              pool("MaxPooling2D", "max_pooling2d", (2, 2), strides=(1, 1), padding="same"),
              simple("Flatten", "flatten", data_format="channels_last"),
              dense("dense", 6, activation="relu"), dense("dense_1", 3, activation="softmax")]
    write_keras3("keras3", layers, shape)


def write_keras3(name, layers, shape):
    weights = make_weights(layers, shape)
    k3_layers = []
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    in_shape = [None] + list(shape)
    for layer in layers:
        cfg = dict(layer["config"])
        cfg["dtype"] = policy
        for key in [k for k in cfg if k.endswith("_initializer")]:
            if isinstance(cfg[key], dict):
                cfg[key] = k3(cfg[key], "keras.initializers")
        entry = k3({"class_name": layer["class_name"], "config": cfg}, "keras.layers")
        entry["build_config"] = {"input_shape": in_shape}
        k3_layers.append(entry)
    config = {"module": "keras", "class_name": "Sequential",
              "config": {"name": "sequential", "trainable": True, "dtype": policy,
                         "layers": [{"module": "keras.layers", "class_name": "InputLayer",
                                     "config": {"batch_shape": in_shape, "dtype": "float32", "sparse": False, "name": "input_layer"},
                                     "registered_name": None}] + k3_layers},
              "registered_name": None, "build_config": {"input_shape": in_shape}, "compile_config": None}
    h5 = io.BytesIO()
    with h5py.File(h5, "w") as f:
        f.create_group("vars")                       # H5IOStore.make("") for the model's own variables
        used = {}
        for layer, ws in zip(layers, weights):
            base = to_snake_case(layer["class_name"])
            if base in used:
                used[base] += 1
                base = f"{base}_{used[base]}"
            else:
                used[base] = 0
            g = f.create_group(f"layers/{base}").create_group("vars")
            for i, v in enumerate(ws):
                g.create_dataset(str(i), data=v)
        opt = f.create_group("optimizer").create_group("vars")  # a compiled model's optimizer state, not read by cnn4j
        opt.create_dataset("0", data=np.int64(3))
    with zipfile.ZipFile(os.path.join(OUT, name + ".keras"), "w") as z:
        stamp = (2026, 12, 1, 0, 0, 0)  # fixed, so that re-running the script reproduces the file
        z.writestr(zipfile.ZipInfo("metadata.json", stamp), json.dumps({"keras_version": "3.6.0", "date_saved": "2026-12-01@00:00:00"}))
        z.writestr(zipfile.ZipInfo("config.json", stamp), json.dumps(config))
        z.writestr(zipfile.ZipInfo("model.weights.h5", stamp), h5.getvalue())
    write_expected(name, layers, weights, shape)


def keras3_modern_archive():
    """BatchNormalization (gamma, beta, moving_mean, moving_variance as vars/0..3), ZeroPadding2D, ReLU, global pooling."""
    shape = (7, 6, 2)
    bn = lambda name, **kw: simple("BatchNormalization", name, axis=-1, momentum=0.99, epsilon=kw.get("epsilon", 0.001),
                                   center=kw.get("center", True), scale=kw.get("scale", True), beta_initializer=zeros(),
                                   gamma_initializer={"class_name": "Ones", "config": {}}, moving_mean_initializer=zeros(),
                                   moving_variance_initializer={"class_name": "Ones", "config": {}}, beta_regularizer=None,
                                   gamma_regularizer=None, beta_constraint=None, gamma_constraint=None)
    layers = [simple("ZeroPadding2D", "zero_padding2d", padding=[[1, 2], [0, 1]], data_format="channels_last"),
              conv2d("conv2d", 3, (3, 3)), bn("batch_normalization"),
              simple("ReLU", "re_lu", max_value=None, negative_slope=0.0, threshold=0.0),
              conv2d("conv2d_1", 4, (2, 2), use_bias=False), bn("batch_normalization_1", center=False, epsilon=0.01),
              simple("ReLU", "re_lu_1", max_value=0.5, negative_slope=0.0, threshold=0.0),
              simple("GlobalAveragePooling2D", "global_average_pooling2d", data_format="channels_last", keepdims=False),
              dense("dense", 5), bn("batch_normalization_2", scale=False),
              simple("ReLU", "re_lu_2", max_value=None, negative_slope=0.1, threshold=0.0),
              dense("dense_1", 3, activation="softmax")]
    write_keras3("keras3_modern", layers, shape)


def to_snake_case(name):
    """keras/src/utils/naming.py to_snake_case."""
    import re
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    keras2_full()
    keras2_weights_and_json()
    keras3_archive()
    keras3_modern_archive()
    keras3_legacy_h5()
    print("wrote", sorted(os.listdir(OUT)))
