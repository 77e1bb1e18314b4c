#pragma once
#include <keras/layers/convolutional/base_conv_transpose.h>

namespace keras::layers {

using Conv2DTransposeOptions = BaseConvTransposeOptions;

/// keras.layers.Conv2DTranspose: (batch, rows, cols, channels) -> (batch, new_rows, new_cols, filters), growing by the strides in channels_last.
class Conv2DTranspose final : public BaseConvTranspose {
 public:
  Conv2DTranspose(int64_t filters, const std::vector<int64_t>& kernel_size, Conv2DTransposeOptions options = {})
      : BaseConvTranspose("Conv2DTranspose", 2, filters, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Conv2DTranspose>(*this); }
};

}  // namespace keras::layers
