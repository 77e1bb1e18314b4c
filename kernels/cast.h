#pragma once
#include <keras/core/tensor.h>

namespace keras::kernels {

/// dst = src converted element by element to `dtype` (float -> int truncates toward zero, as NumPy).
Tensor cast(const Tensor& src, DType dtype);

}  // namespace keras::kernels
