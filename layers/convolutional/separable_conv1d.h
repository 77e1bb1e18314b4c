#pragma once
#include <keras/layers/convolutional/base_separable_conv.h>

namespace keras::layers {

using SeparableConv1DOptions = BaseSeparableConvOptions;

/// keras.layers.SeparableConv1D: (batch, steps, C) -> (batch, new_steps, filters) in channels_last.
class SeparableConv1D final : public BaseSeparableConv {
 public:
  SeparableConv1D(int64_t filters, const std::vector<int64_t>& kernel_size, SeparableConv1DOptions options = {})
      : BaseSeparableConv("SeparableConv1D", 1, filters, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<SeparableConv1D>(*this); }
};

}  // namespace keras::layers
