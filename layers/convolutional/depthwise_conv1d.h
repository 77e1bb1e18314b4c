#pragma once
#include <keras/layers/convolutional/base_depthwise_conv.h>

namespace keras::layers {

using DepthwiseConv1DOptions = BaseDepthwiseConvOptions;

/// keras.layers.DepthwiseConv1D: (batch, steps, C) -> (batch, new_steps, C * depth_multiplier) in channels_last.
class DepthwiseConv1D final : public BaseDepthwiseConv {
 public:
  explicit DepthwiseConv1D(const std::vector<int64_t>& kernel_size, DepthwiseConv1DOptions options = {})
      : BaseDepthwiseConv("DepthwiseConv1D", 1, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<DepthwiseConv1D>(*this); }
};

}  // namespace keras::layers
