#!/usr/bin/env python3
"""Writes HDF5 fixtures with real h5py, for tests/io/h5_file_test.cpp and tests/io/legacy_h5_test.cpp.

Run from anywhere: python3 tests/data/keras/make_h5py_fixtures.py (h5py 3.7 and NumPy 1.24, from Debian's
python3-h5py, made the committed files). The mlp.* files beside this script were written by Keras itself
(see mlp.expected.json); these were not:

- h5py_dtypes.h5: one dataset per dtype as h5py stores NumPy's (bool as an enum, float16, a 2-byte
  opaque with Keras's dtype="bfloat16" attribute, narrow and big-endian integers and floats, a scalar,
  an empty array, gzip-compressed chunks), and the values in h5py_dtypes.json.
- keras2_style.h5: a model file in the layout tf.keras 2 wrote with h5py 2: fixed-length strings,
  "dense/kernel:0" weight names, batch_input_shape on the first layer, a weightless layer, weight_names
  split into weight_names0/weight_names1, a compressed and a big-endian weight. keras2_style.json holds
  an input batch and the outputs NumPy computes for it.
"""
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def dtypes():
    values = {
        "float32": np.array([[1.5, -2.25], [3.0, 1e-3]], dtype="<f4"),
        "float64_be": np.array([1.0 / 3.0, -2.5e-300, 1e300], dtype=">f8"),
        "float16": np.array([1.0, -0.5, 65504.0, 6e-8], dtype="<f2"),
        "int8": np.array([-128, 0, 127], dtype="i1"),
        "int16_be": np.array([-32768, 2, 32767], dtype=">i2"),
        "uint16": np.array([0, 65535], dtype="<u2"),
        "int32": np.array([2**31 - 1, -2**31], dtype="<i4"),
        "int64": np.array([2**62, -3], dtype="<i8"),
        "uint8": np.array([0, 255], dtype="u1"),
        "bool": np.array([True, False, True]),
        "scalar": np.array(2.5, dtype="<f4"),
        "empty": np.zeros((0, 3), dtype="<f4"),
    }
    with h5py.File(path("h5py_dtypes.h5"), "w") as f:
        for name, v in values.items():
            f[name] = v
        f.create_dataset("gzip", data=np.arange(1000, dtype="<f4").reshape(10, 100), chunks=(5, 20),
                         compression="gzip", compression_opts=9)
        # bfloat16 as Keras stores it (ml_dtypes arrays are 2-byte voids to h5py): 1.0, -2.0, 0.5.
        bf = f.create_dataset("bfloat16", data=np.array([0x3F80, 0xC000, 0x3F00], dtype="<u2").view("V2"))
        bf.attrs["dtype"] = "bfloat16"
    expected = {name: v.tolist() for name, v in values.items()}
    expected["gzip_sum"] = float(np.arange(1000).sum())
    with open(path("h5py_dtypes.json"), "w") as f:
        json.dump(expected, f, indent=1)


def dense(name, units, first=False):
    config = {"name": name, "trainable": True, "dtype": "float32", "units": units, "activation": "relu",
              "use_bias": True,
              "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
              "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
              "bias_constraint": None}
    if first:
        config = {"name": name, "trainable": True, "batch_input_shape": [None, 3], **config}
    return {"class_name": "Dense", "config": config}


def keras2_style():
    rng = np.random.default_rng(0)
    k1 = rng.normal(size=(3, 4)).astype("<f4")
    b1 = rng.normal(size=(4,)).astype("<f4")
    k2 = rng.normal(size=(4, 2)).astype(">f4")
    b2 = rng.normal(size=(2,)).astype("<f4")
    second = dense("dense_1", 2)
    second["config"]["activation"] = "linear"
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        dense("dense", 4, first=True),
        {"class_name": "Rescaling", "config": {"name": "rescaling", "trainable": True, "dtype": "float32",
                                               "scale": 0.5, "offset": 0.0}},
        second]}}
    with h5py.File(path("keras2_style.h5"), "w") as f:
        # h5py 2 stored Python bytes as fixed-length strings; np.bytes_ makes h5py 3 do the same.
        f.attrs["keras_version"] = np.bytes_(b"2.4.0")
        f.attrs["backend"] = np.bytes_(b"tensorflow")
        f.attrs["model_config"] = np.bytes_(json.dumps(config).encode("utf8"))
        w = f.create_group("model_weights")
        w.attrs["layer_names"] = np.array([b"dense", b"rescaling", b"dense_1"])
        w.attrs["backend"] = np.bytes_(b"tensorflow")
        w.attrs["keras_version"] = np.bytes_(b"2.4.0")
        g = w.create_group("dense")
        g.attrs["weight_names0"] = np.array([b"dense/kernel:0"])
        g.attrs["weight_names1"] = np.array([b"dense/bias:0"])
        g.create_dataset("dense/kernel:0", data=k1, chunks=(3, 2), compression="gzip")
        g.create_dataset("dense/bias:0", data=b1)
        w.create_group("rescaling").attrs["weight_names"] = np.array([])
        g = w.create_group("dense_1")
        g.attrs["weight_names"] = np.array([b"dense_1/kernel:0", b"dense_1/bias:0"])
        g.create_dataset("dense_1/kernel:0", data=k2)
        g.create_dataset("dense_1/bias:0", data=b2)
    x = rng.normal(size=(5, 3)).astype("<f4")
    y = (np.maximum(x @ k1 + b1, 0) * 0.5) @ k2.astype("<f4") + b2
    with open(path("keras2_style.json"), "w") as f:
        json.dump({"x": x.tolist(), "y": y.tolist()}, f, indent=1)


def main():
    dtypes()
    keras2_style()


if __name__ == "__main__":
    main()
