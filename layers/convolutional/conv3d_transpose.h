#pragma once
#include <keras/layers/convolutional/base_conv_transpose.h>

namespace keras::layers {

using Conv3DTransposeOptions = BaseConvTransposeOptions;

/// keras.layers.Conv3DTranspose: (batch, d1, d2, d3, channels) -> (batch, n1, n2, n3, filters), growing by the strides in channels_last.
class Conv3DTranspose final : public BaseConvTranspose {
 public:
  Conv3DTranspose(int64_t filters, const std::vector<int64_t>& kernel_size, Conv3DTransposeOptions options = {})
      : BaseConvTranspose("Conv3DTranspose", 3, filters, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Conv3DTranspose>(*this); }
};

}  // namespace keras::layers
