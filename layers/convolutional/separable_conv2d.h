#pragma once
#include <keras/layers/convolutional/base_separable_conv.h>

namespace keras::layers {

using SeparableConv2DOptions = BaseSeparableConvOptions;

/// keras.layers.SeparableConv2D: (batch, rows, cols, C) -> (batch, new_rows, new_cols, filters) in channels_last.
class SeparableConv2D final : public BaseSeparableConv {
 public:
  SeparableConv2D(int64_t filters, const std::vector<int64_t>& kernel_size, SeparableConv2DOptions options = {})
      : BaseSeparableConv("SeparableConv2D", 2, filters, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<SeparableConv2D>(*this); }
};

}  // namespace keras::layers
