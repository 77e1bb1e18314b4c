#pragma once
#include <keras/core/ops/reduction.h>
#include <keras/core/tensor.h>

#include <optional>
#include <utility>

/// keras.ops normalization: moments, batch_normalization, layer_normalization, and the fused
/// training-mode batch normalization the BatchNormalization layer runs on.
namespace keras::ops {

/// keras.ops.moments: (mean, biased variance) of x over `axes`; float16/bfloat16 are computed in
/// float32. synchronized=true (cross-device statistics) throws NotImplementedError.
///   auto [mean, variance] = ops::moments(x, {0, 1, 2});
std::pair<Tensor, Tensor> moments(const Tensor& x, Axes axes, bool keepdims = false, bool synchronized = false);

/// keras.ops.batch_normalization: (x - mean) / sqrt(variance + epsilon) * scale + offset, where mean,
/// variance, offset and scale (the last two optional) are vectors of length x.shape[axis].
Tensor batch_normalization(const Tensor& x, const Tensor& mean, const Tensor& variance, int64_t axis,
                           const Tensor& offset = {}, const Tensor& scale = {}, double epsilon = 1e-3);

/// keras.ops.layer_normalization: x normalized by its mean and variance over `axis`, times gamma plus
/// beta (both optional, spanning the normalized axes). rms_scaling divides by sqrt(variance + epsilon)
/// without centring and ignores beta, as Keras does. epsilon defaults to Keras's 1e-7.
Tensor layer_normalization(const Tensor& x, const Tensor& gamma = {}, const Tensor& beta = {}, Axes axis = -1,
                           std::optional<double> epsilon = std::nullopt, bool rms_scaling = false);

/// What fused_batch_normalization returns: outputs, and the batch's mean and variance, shape (C,).
struct FusedBatchNormalization {
  Tensor outputs;
  Tensor mean;
  Tensor variance;
};

/// Training-mode batch normalization in one fused kernel (oneDNN on the CPU): the same values as
///   auto [m, v] = moments(x, every axis but `axis`); batch_normalization(x, m, v, axis, offset, scale, epsilon)
/// and the same gradients in x, offset and scale. The returned mean and variance carry no gradient:
/// they are for the layer's moving statistics.
FusedBatchNormalization fused_batch_normalization(const Tensor& x, int64_t axis, const Tensor& offset = {},
                                                  const Tensor& scale = {}, double epsilon = 1e-3);

}  // namespace keras::ops
