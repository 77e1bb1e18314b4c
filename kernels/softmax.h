#pragma once
#include <keras/core/tensor.h>

namespace keras::kernels {

/// softmax (or log_softmax when `log`) of a floating tensor along one axis, numerically stable.
Tensor softmax(const Tensor& src, int64_t axis, bool log);

}  // namespace keras::kernels
