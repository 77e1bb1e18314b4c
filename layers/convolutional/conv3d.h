#pragma once
#include <keras/layers/convolutional/base_conv.h>

namespace keras::layers {

using Conv3DOptions = BaseConvOptions;

/// keras.layers.Conv3D: (batch, d1, d2, d3, channels) -> (batch, n1, n2, n3, filters) in channels_last.
class Conv3D final : public BaseConv {
 public:
  Conv3D(int64_t filters, const std::vector<int64_t>& kernel_size, Conv3DOptions options = {})
      : BaseConv("Conv3D", 3, filters, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Conv3D>(*this); }
};

}  // namespace keras::layers
