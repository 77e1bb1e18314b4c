#pragma once
#include <keras/layers/convolutional/base_conv.h>

namespace keras::layers {

using Conv2DOptions = BaseConvOptions;

/// keras.layers.Conv2D: (batch, rows, cols, channels) -> (batch, new_rows, new_cols, filters) in channels_last.
class Conv2D final : public BaseConv {
 public:
  Conv2D(int64_t filters, const std::vector<int64_t>& kernel_size, Conv2DOptions options = {})
      : BaseConv("Conv2D", 2, filters, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Conv2D>(*this); }
};

}  // namespace keras::layers
