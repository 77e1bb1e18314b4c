#pragma once
#include <keras/core/tensor.h>

namespace keras::kernels {

/// Batch normalization of src over every axis but `axis` (the channels, C of them):
/// dst = (src - mean) / sqrt(variance + epsilon) * scale + shift, per channel.
/// Without `mean`/`variance` the statistics are the batch's (mean and biased variance, training);
/// with them, those are used (inference). scale and shift are (C,) or undefined (1 and 0).
/// float32 and float64 (other dtypes are computed in float32).
struct BatchNormForwardArgs {
  const Tensor& src;
  int64_t axis;  // non-negative
  double epsilon;
  Tensor scale = {};
  Tensor shift = {};
  Tensor mean = {};
  Tensor variance = {};
};
struct BatchNormForwardResult {
  Tensor dst;
  Tensor mean;      // (C,): the batch's, or the given one
  Tensor variance;  // (C,)
};
BatchNormForwardResult batch_norm_forward(const BatchNormForwardArgs& args);

/// The gradients of a training-mode batch_norm_forward (statistics from the batch) given diff_dst:
/// diff_src always, diff_scale when `scale` is defined, diff_shift when `use_shift`.
struct BatchNormBackwardArgs {
  const Tensor& src;
  const Tensor& diff_dst;
  const Tensor& mean;      // the forward's batch statistics
  const Tensor& variance;
  int64_t axis;
  double epsilon;
  Tensor scale = {};
  bool use_shift = false;
};
struct BatchNormBackwardResult {
  Tensor diff_src;
  Tensor diff_scale;  // undefined without scale
  Tensor diff_shift;  // undefined without use_shift
};
BatchNormBackwardResult batch_norm_backward(const BatchNormBackwardArgs& args);

/// Layer normalization of src viewed as (rows, cols), over each row of its last `cols` elements:
/// dst = (src - mean_row) / sqrt(variance_row + epsilon) * scale + shift, scale and shift (cols,)
/// elements (any shape) or undefined. float32 and float64 (others computed in float32).
struct LayerNormForwardArgs {
  const Tensor& src;
  int64_t cols;
  double epsilon;
  Tensor scale = {};
  Tensor shift = {};
};
struct LayerNormForwardResult {
  Tensor dst;
  Tensor mean;      // (rows,)
  Tensor variance;  // (rows,), biased
};
LayerNormForwardResult layer_norm_forward(const LayerNormForwardArgs& args);

/// The gradients of layer_norm_forward given diff_dst; diff_scale/diff_shift have scale's shape.
struct LayerNormBackwardArgs {
  const Tensor& src;
  const Tensor& diff_dst;
  const Tensor& mean;
  const Tensor& variance;
  int64_t cols;
  double epsilon;
  Tensor scale = {};
  bool use_shift = false;
  Shape shift_shape = {};  // diff_shift's shape when use_shift
};
struct LayerNormBackwardResult {
  Tensor diff_src;
  Tensor diff_scale;
  Tensor diff_shift;
};
LayerNormBackwardResult layer_norm_backward(const LayerNormBackwardArgs& args);

}  // namespace keras::kernels
