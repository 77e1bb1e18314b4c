#pragma once
#include <keras/layers/convolutional/base_conv_transpose.h>

namespace keras::layers {

using Conv1DTransposeOptions = BaseConvTransposeOptions;

/// keras.layers.Conv1DTranspose: (batch, steps, channels) -> (batch, new_steps, filters), new_steps about steps * strides in channels_last.
class Conv1DTranspose final : public BaseConvTranspose {
 public:
  Conv1DTranspose(int64_t filters, const std::vector<int64_t>& kernel_size, Conv1DTransposeOptions options = {})
      : BaseConvTranspose("Conv1DTranspose", 1, filters, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Conv1DTranspose>(*this); }
};

}  // namespace keras::layers
