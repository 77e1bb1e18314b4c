#pragma once
#include <keras/core/tensor.h>

#include <string>

/// IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
namespace keras::io {

/// Reads an IDX file, plain or gzip-compressed (detected from its first bytes): element type 0x08
/// uint8 -> uint8, 0x09 int8, 0x0B int16 and 0x0C int32 -> int32, 0x0D float32, 0x0E float64, in the
/// file's shape. A malformed file is a ValueError naming it; an unreadable one a RuntimeError.
Tensor load_idx(const std::string& path);

}  // namespace keras::io
