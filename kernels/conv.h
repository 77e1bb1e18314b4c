#pragma once
#include <keras/core/tensor.h>

#include <vector>

namespace keras::kernels {

/// Where an N-d convolution's window goes (N = 1, 2 or 3 spatial axes, one entry per axis each):
/// strides, Keras's dilation (1 = dense; oneDNN's is one less), explicit and possibly asymmetric
/// padding, groups, and the activations' layout ((batch, *spatial, channels) unless channels_first).
struct ConvGeometry {
  std::vector<int64_t> strides = {};
  std::vector<int64_t> dilation = {};
  std::vector<int64_t> padding_l = {};
  std::vector<int64_t> padding_r = {};
  int64_t groups = 1;
  bool channels_first = false;
};

/// An activation the forward kernel applies after the bias, fused into the convolution.
enum class ConvActivation : uint8_t { none, relu };

/// dst = activation(conv(src, weights) + bias): src (N, *spatial, C) or (N, C, *spatial), weights in
/// Keras's layout (*kernel, C / groups, O), bias (O,) or undefined; dst is src's layout with O channels
/// and spatial sizes (in + padding_l + padding_r - dilated kernel) / stride + 1. One dtype throughout.
struct ConvForwardArgs {
  const Tensor& src;
  const Tensor& weights;
  const ConvGeometry& geometry;
  Tensor bias = {};
  ConvActivation activation = ConvActivation::none;
};
Tensor conv_forward(const ConvForwardArgs& args);

/// diff_src of conv_forward (without bias or activation) for diff_dst: the transposed convolution,
/// giving a tensor of `src_shape`.
struct ConvBackwardDataArgs {
  const Tensor& diff_dst;
  const Tensor& weights;
  const Shape& src_shape;
  const ConvGeometry& geometry;
};
Tensor conv_backward_data(const ConvBackwardDataArgs& args);

/// diff_weights of conv_forward (Keras's layout, `weights_shape`) for src and diff_dst; with_bias
/// adds diff_bias (O,) as a second result, summed in the same pass.
struct ConvBackwardWeightsArgs {
  const Tensor& src;
  const Tensor& diff_dst;
  const Shape& weights_shape;
  const ConvGeometry& geometry;
  bool with_bias = false;
};
Tensors conv_backward_weights(const ConvBackwardWeightsArgs& args);

}  // namespace keras::kernels
