#pragma once
#include <keras/core/tensor.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// NumPy's .npy and .npz files (numpy.save / numpy.load / numpy.savez), so arrays move between
/// Python and keras-cpp without glue code. Readers treat their input as untrusted: a malformed file
/// is a ValueError naming it and the problem (RuntimeError when the file cannot be read at all).
/// bfloat16, which NumPy lacks, is stored as ml_dtypes stores it: descr '<V2' (Keras reads any
/// 2-byte void as bfloat16, as this reader does).
namespace keras::io {

/// numpy.load of a .npy file: any of the 8 dtypes, format versions 1.0-3.0, C order, either byte order.
Tensor load_npy(const std::string& path);
/// numpy.save: writes format 1.0 (2.0 for huge headers) byte-identical to NumPy's, via a temporary file.
void save_npy(const std::string& path, const Tensor& t);

/// load_npy of the bytes of a .npy file; `source` names them in error messages.
Tensor npy_from_bytes(const void* data, size_t size, std::string_view source = "<bytes>");
/// The bytes save_npy writes.
std::vector<uint8_t> npy_to_bytes(const Tensor& t);

/// numpy.load of a .npz file: (name, array) in stored order, names without their ".npy" suffix.
std::vector<std::pair<std::string, Tensor>> load_npz(const std::string& path);
/// numpy.savez (or numpy.savez_compressed when `compressed`): one "<name>.npy" entry per array.
void save_npz(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& arrays,
              bool compressed = false);

/// load_npz of the bytes of a .npz file; `source` names them in error messages.
std::vector<std::pair<std::string, Tensor>> npz_from_bytes(const void* data, size_t size,
                                                           std::string_view source = "<bytes>");

}  // namespace keras::io
