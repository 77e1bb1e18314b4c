#pragma once
#include <keras/layers/convolutional/base_conv.h>

namespace keras::layers {

using Conv1DOptions = BaseConvOptions;

/// keras.layers.Conv1D: (batch, steps, channels) -> (batch, new_steps, filters) in channels_last. "causal" padding pads (kernel_size - 1) * dilation_rate before the sequence.
class Conv1D final : public BaseConv {
 public:
  Conv1D(int64_t filters, const std::vector<int64_t>& kernel_size, Conv1DOptions options = {})
      : BaseConv("Conv1D", 1, filters, kernel_size, std::move(options)) {}
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Conv1D>(*this); }
};

}  // namespace keras::layers
