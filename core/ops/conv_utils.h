#pragma once
/// Shape arithmetic shared by convolution and pooling ops and layers, after keras.src.ops.operation_utils.
#include <keras/core/config.h>
#include <keras/core/errors.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace keras::ops::conv_utils {

/// "channels_last"/"channels_first"; empty means keras::config::image_data_format().
inline std::string standardize_data_format(const std::string& data_format) {
  std::string f = data_format.empty() ? config::image_data_format() : data_format;
  if (f != "channels_last" && f != "channels_first") {
    throw ValueError("data_format must be 'channels_last' or 'channels_first', got '" + data_format + "'");
  }
  return f;
}

/// "valid", "same" (and "causal" where `allow_causal`), lower-cased as Keras does.
inline std::string standardize_padding(std::string padding, bool allow_causal = false) {
  std::transform(padding.begin(), padding.end(), padding.begin(), [](unsigned char c) { return std::tolower(c); });
  if (padding == "valid" || padding == "same" || (allow_causal && padding == "causal")) return padding;
  throw ValueError(std::string("padding must be 'valid', 'same'") + (allow_causal ? " or 'causal'" : "") +
                   ", got '" + padding + "'");
}

/// Keras's int-or-tuple arguments: one value is repeated `n` times; otherwise exactly `n` positive values.
inline std::vector<int64_t> normalize_tuple(const std::vector<int64_t>& value, size_t n, const std::string& name,
                                            bool allow_zero = false) {
  std::vector<int64_t> out = value.size() == 1 ? std::vector<int64_t>(n, value[0]) : value;
  if (out.size() != n) {
    throw ValueError("The `" + name + "` argument must be a tuple of " + std::to_string(n) + " integers, got " +
                     std::to_string(value.size()) + " values");
  }
  for (int64_t v : out) {
    if (v < 0 || (v == 0 && !allow_zero)) {
      throw ValueError("The `" + name + "` argument must be a tuple of " + std::to_string(n) + (allow_zero ? " non-negative" : " positive") +
                       " integers, got a value of " + std::to_string(v));
    }
  }
  return out;
}

/// Output length of a convolution or pooling window along one axis; "causal" counts as "valid"
/// after its left padding. May be <= 0 when the window does not fit; callers report that.
inline int64_t output_length(int64_t input, int64_t kernel, const std::string& padding, int64_t stride,
                             int64_t dilation = 1) {
  const int64_t effective = (kernel - 1) * dilation + 1;
  if (padding == "same" || padding == "causal") return (input + stride - 1) / stride;
  return input >= effective ? (input - effective) / stride + 1 : 0;
}

/// TensorFlow's "same" padding as (before, after): the odd cell goes after, so even kernels pad
/// more on the right/bottom; "causal" pads everything before, "valid" nothing.
inline std::pair<int64_t, int64_t> padding_amounts(int64_t input, int64_t kernel, const std::string& padding,
                                                   int64_t stride, int64_t dilation = 1) {
  const int64_t effective = (kernel - 1) * dilation + 1;
  if (padding == "causal") return {effective - 1, 0};
  if (padding != "same") return {0, 0};
  const int64_t out = output_length(input, kernel, padding, stride, dilation);
  const int64_t total = std::max<int64_t>((out - 1) * stride + effective - input, 0);
  return {total / 2, total - total / 2};
}

/// Output length of a transposed convolution along one axis (Keras's
/// compute_conv_transpose_output_length); `output_padding` < 0 means None.
inline int64_t transpose_output_length(int64_t input, int64_t kernel, const std::string& padding, int64_t stride,
                                       int64_t dilation = 1, int64_t output_padding = -1) {
  const int64_t effective = kernel + (kernel - 1) * (dilation - 1);
  if (output_padding < 0) {
    return padding == "valid" ? input * stride + std::max<int64_t>(effective - stride, 0) : input * stride;
  }
  const int64_t pad = padding == "same" ? effective / 2 : 0;
  return (input - 1) * stride + effective - 2 * pad + output_padding;
}

}  // namespace keras::ops::conv_utils
