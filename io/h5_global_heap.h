#pragma once
// A check of an HDF5 file's global heap collections before HDF5 reads variable-length strings from
// them. Debian's HDF5 1.10.8 trusts the sizes it finds there: an object size past the end of its
// collection makes H5HG_read copy that many bytes (a heap overflow), and a zero-sized free-space
// object makes its parser loop forever (both found by fuzz/fuzz_weights_h5). Internal to io/.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace keras::io::detail {

/// Reads `n` bytes at `offset` of the file into `out`; false when it cannot.
using ReadAt = std::function<bool(uint64_t offset, size_t n, uint8_t* out)>;

/// Parses every global heap collection of a file of `size` bytes (each "GCOL" signature with
/// version 1, HDF5's own test for one) as HDF5's reader does, and throws ValueError naming `name`
/// and the collection's offset when an object would reach past its collection or make no progress,
/// or the collection past the end of the file. What it cannot see: a string's own record of its
/// length and heap object, which live in the attribute's data, out of reach of HDF5's API.
void check_global_heaps(uint64_t size, const ReadAt& read_at, const std::string& name);

/// The same over a file's bytes in memory.
void check_global_heaps(const uint8_t* data, size_t size, const std::string& name);

}  // namespace keras::io::detail
