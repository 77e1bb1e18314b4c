#!/usr/bin/env python3
"""Writes the .npy/.npz fixtures of tests/io/npy_test.cpp and tests/core/tensor_test.cpp with real NumPy.

Run from anywhere: python3 tests/data/npy/make_fixtures.py (NumPy 1.24, from Debian's python3-numpy,
made the committed files; the .npz files differ on each run only in their zip timestamps).
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def main():
    # One file per dtype, values chosen so a wrong byte order or element size shows.
    np.save(path("float32.npy"), np.array([[1.5, -2.25, 3.0], [0.0, 1e-3, -7e5]], dtype="<f4"))
    np.save(path("float64.npy"), np.array([1.0 / 3.0, -2.5e-300, 1e300], dtype="<f8"))
    np.save(path("float16.npy"), np.array([1.0, -0.5, 65504.0, 6e-8, np.inf, -np.inf, np.nan], dtype="<f2"))
    np.save(path("int32.npy"), np.array([[1, -2], [2**31 - 1, -2**31]], dtype="<i4"))
    np.save(path("int64.npy"), np.array([2**62, -3, 0], dtype="<i8"))
    np.save(path("uint8.npy"), np.array([0, 1, 255], dtype="|u1"))
    np.save(path("bool.npy"), np.array([True, False, True], dtype="|b1"))
    np.save(path("scalar.npy"), np.array(2.5, dtype="<f4"))
    np.save(path("empty.npy"), np.zeros((0, 3), dtype="<f4"))
    np.save(path("big_endian.npy"), np.array([1.0, -2.0, 3.5], dtype=">f4"))
    np.save(path("big_endian_int64.npy"), np.array([1, -2, 2**40], dtype=">i8"))
    np.save(path("fortran.npy"), np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    # bfloat16 as ml_dtypes saves it: two raw bytes per element, descr '<V2' (keras treats V2 as bfloat16).
    f32_bits = np.array([1.0, -2.5, 0.1], dtype="<f4").view("<u4").astype(np.uint64)
    bf16_bits = ((f32_bits + 0x7FFF + ((f32_bits >> 16) & 1)) >> 16).astype("<u2")  # round to nearest even
    with open(path("bfloat16.npy"), "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<V2", "fortran_order": False, "shape": (3,)})
        f.write(bf16_bits.tobytes())
    for version in [(2, 0), (3, 0)]:
        with open(path("version%d.npy" % version[0]), "wb") as f:
            np.lib.format.write_array(f, np.arange(4, dtype="<i4"), version=version)
    arrays = {"weights": np.arange(6, dtype="<f4").reshape(2, 3), "bias": np.array([0.5, -0.5], dtype="<f8"),
              "step": np.array(7, dtype="<i8"), "mask": np.array([True, False], dtype="|b1")}
    np.savez(path("stored.npz"), **arrays)
    np.savez_compressed(path("compressed.npz"), **arrays)

    # Tensor::str() must print what str(ndarray) prints: arrays here, NumPy's text in print_cases.txt.
    cases = {
        "f32_mixed": np.array([1.0, 2.5, 3.0], dtype="<f4"),
        "f32_thirds": np.array([1 / 3, 2 / 3, -1.0], dtype="<f4"),
        "f64_thirds": np.array([1 / 3, 2 / 3, -1.0], dtype="<f8"),
        "f32_2d": np.array([[1.0, 2.0], [3.0, 4.0]], dtype="<f4"),
        "f32_3d": np.arange(12, dtype="<f4").reshape(2, 2, 3) - 5.5,
        "f32_exp_ratio": np.array([1.0, 10000.0], dtype="<f4"),
        "f32_exp_small": np.array([1e-5, 1.5, -2.0], dtype="<f4"),
        "f64_exp_big": np.array([1e8, 1.0, 123456789.0], dtype="<f8"),
        "f64_exp_wide": np.array([1e-300, 1e300, 0.0], dtype="<f8"),
        "f32_nonfinite": np.array([np.nan, 1.5, -np.inf, np.inf], dtype="<f4"),
        "f32_only_nan": np.array([np.nan, np.nan], dtype="<f4"),
        "f32_neg_inf_only": np.array([-np.inf, 1.0], dtype="<f4"),
        "f32_zeros": np.array([0.0, -0.0, 0.0], dtype="<f4"),
        "f32_precision": np.array([0.1, 0.123456789, 100.25], dtype="<f4"),
        "f64_precision": np.array([0.1, 0.123456789123, 100.25], dtype="<f8"),
        "f16_values": np.array([0.1, 0.2, 1000.0, -3.0], dtype="<f2"),
        "f16_exp": np.array([6e-8, 1.0, 65504.0], dtype="<f2"),
        "i32_values": np.array([1, -20, 300], dtype="<i4"),
        "i64_2d": np.array([[2**40, -1], [0, 5]], dtype="<i8"),
        "u8_values": np.array([0, 7, 255], dtype="|u1"),
        "bool_values": np.array([True, False, True], dtype="|b1"),
        "bool_2d": np.array([[True], [False]], dtype="|b1"),
        "f32_wrap": np.linspace(0, 1, 20, dtype="<f4"),
        "i64_wrap": np.arange(40, dtype="<i8") * 1000,
        "i32_summary": np.arange(2000, dtype="<i4") % 7 * 100 - 300,
        "i32_summary_2d": (np.arange(3000, dtype="<i4") % 30).reshape(100, 30),
        "f32_summary_3d": (np.arange(1200, dtype="<f4") % 12 / 8).reshape(10, 10, 12),
        "f64_summary_exp": np.tile(np.array([1e-5, 2.0, -3e4], dtype="<f8"), 400),
        "f32_scalar": np.array(2.5, dtype="<f4"),
        "f32_scalar_int": np.array(3.0, dtype="<f4"),
        "f64_scalar_small": np.array(1e-5, dtype="<f8"),
        "f64_scalar_big": np.array(1e16, dtype="<f8"),
        "f16_scalar": np.array(0.1, dtype="<f2"),
        "i64_scalar": np.array(-42, dtype="<i8"),
        "bool_scalar": np.array(True, dtype="|b1"),
        "f32_empty": np.zeros((2, 0), dtype="<f4"),
        "f32_singleton": np.array([[[0.5]]], dtype="<f4"),
    }
    np.savez_compressed(path("print_cases.npz"), **cases)
    with open(path("print_cases.txt"), "w") as f:
        for name, a in cases.items():
            f.write("@@ %s\n%s\n" % (name, str(a)))


if __name__ == "__main__":
    main()
