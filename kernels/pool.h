#pragma once
#include <keras/core/tensor.h>

#include <vector>

namespace keras::kernels {

/// max takes the largest in-bounds value; avg divides by the number of in-bounds cells
/// (oneDNN's pooling_avg_exclude_padding, as TensorFlow's "same" average pooling).
enum class PoolAlgorithm : uint8_t { max, avg };

/// The window of a 1-D, 2-D or 3-D pooling: src is (N, spatial..., C) when channels_last, else
/// (N, C, spatial...); kernel, strides and the explicit padding have one entry per spatial axis.
/// dst's spatial size is (in + padding_l + padding_r - kernel) / strides + 1 along each axis.
struct PoolWindow {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> padding_l;
  std::vector<int64_t> padding_r;
  bool channels_last = true;
};

/// dst, and for max pooling in training mode the workspace the backward pass reads (an opaque
/// uint8 buffer; undefined when the backend recomputes the argmax instead).
struct PoolForwardResult {
  Tensor dst;
  Tensor workspace;
};

/// Pooling forward of a floating src; `training` asks for a max pooling workspace.
struct PoolForwardArgs {
  PoolAlgorithm algorithm;
  const Tensor& src;
  const PoolWindow& window;
  bool training = false;
};
PoolForwardResult pool_forward(const PoolForwardArgs& args);

/// diff_src (src's shape and dtype) from diff_dst. Max pooling routes each gradient to the first
/// largest cell of its window, read from `workspace` when defined, else recomputed from `src`.
struct PoolBackwardArgs {
  PoolAlgorithm algorithm;
  const Tensor& diff_dst;
  const Shape& src_shape;
  const PoolWindow& window;
  Tensor src = {};        // max pooling only
  Tensor workspace = {};  // max pooling only, from pool_forward with training
};
Tensor pool_backward(const PoolBackwardArgs& args);

}  // namespace keras::kernels
