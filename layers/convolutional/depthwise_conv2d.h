#pragma once
#include <keras/layers/convolutional/base_depthwise_conv.h>

namespace keras::layers {

using DepthwiseConv2DOptions = BaseDepthwiseConvOptions;

/// keras.layers.DepthwiseConv2D: (batch, rows, cols, C) -> (batch, new_rows, new_cols, C * depth_multiplier) in channels_last.
class DepthwiseConv2D final : public BaseDepthwiseConv {
 public:
  explicit DepthwiseConv2D(const std::vector<int64_t>& kernel_size, DepthwiseConv2DOptions options = {})
      : BaseDepthwiseConv("DepthwiseConv2D", 2, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<DepthwiseConv2D>(*this); }
};

}  // namespace keras::layers
