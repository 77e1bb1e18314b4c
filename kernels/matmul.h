#pragma once
#include <keras/core/tensor.h>

namespace keras::kernels {

/// dst = op(src) @ op(weights) (+ bias), then relu when asked; op = transpose of the last two axes
/// when asked. src (..., M, K) and weights (..., K, N) have equal rank >= 2 and broadcastable batch
/// axes; bias, when defined, has shape (N,). All operands share a dtype.
struct MatmulArgs {
  const Tensor& src;
  const Tensor& weights;
  Tensor bias = {};
  bool transpose_src = false;
  bool transpose_weights = false;
  bool relu = false;  // dst = relu(dst) in the same call, NaN kept as ops::relu keeps it
};
Tensor matmul(const MatmulArgs& args);

}  // namespace keras::kernels
