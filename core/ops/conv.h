#pragma once
#include <keras/core/tensor.h>

#include <optional>
#include <string>
#include <vector>

/// keras.ops convolutions. Int-or-tuple arguments are lists: {2} repeats over every spatial axis,
/// {2, 1} gives one value per axis.
namespace keras::ops {

/// Keyword arguments of conv, depthwise_conv and separable_conv, in Keras's order and defaults.
struct ConvOptions {
  std::vector<int64_t> strides = {1};
  std::string padding = "valid";  // "valid" or "same" (TensorFlow's: an odd total pads more after)
  std::string data_format = {};   // empty: keras::config::image_data_format()
  std::vector<int64_t> dilation_rate = {1};
};

/// Keyword arguments of conv_transpose, in Keras's order and defaults.
struct ConvTransposeOptions {
  std::vector<int64_t> strides = {1};
  std::string padding = "valid";
  std::optional<std::vector<int64_t>> output_padding = std::nullopt;  // None: inferred
  std::string data_format = {};
  std::vector<int64_t> dilation_rate = {1};
};

/// keras.ops.conv: 1-D, 2-D or 3-D convolution (cross-correlation) of inputs (batch, *spatial, C)
/// (channels_last) with kernel (*kernel_size, C / groups, filters); groups = C / kernel.shape[-2].
Tensor conv(const Tensor& inputs, const Tensor& kernel, const ConvOptions& options = {});

/// keras.ops.conv_transpose: the transpose (gradient) of conv; kernel (*kernel_size, filters, C).
Tensor conv_transpose(const Tensor& inputs, const Tensor& kernel, const ConvTransposeOptions& options = {});

/// keras.ops.depthwise_conv: each input channel convolved with its own depth_multiplier filters;
/// kernel (*kernel_size, C, depth_multiplier) gives C * depth_multiplier channels, channel-major.
Tensor depthwise_conv(const Tensor& inputs, const Tensor& kernel, const ConvOptions& options = {});

/// keras.ops.separable_conv: depthwise_conv then a 1x1 conv with pointwise_kernel
/// (1, ..., 1, C * depth_multiplier, filters).
Tensor separable_conv(const Tensor& inputs, const Tensor& depthwise_kernel, const Tensor& pointwise_kernel,
                      const ConvOptions& options = {});

/// keras-cpp, for the conv layers: activation(conv(inputs, kernel) + bias) as one oneDNN primitive.
/// `bias` (filters,) may be undefined; padding may also be "causal" (all padding before, as Conv1D);
/// activation is "linear" or "relu" (others: ValueError; apply them after).
Tensor conv_bias_activation(const Tensor& inputs, const Tensor& kernel, const Tensor& bias,
                            const ConvOptions& options = {}, const std::string& activation = "linear");

}  // namespace keras::ops
