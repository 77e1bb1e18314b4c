#pragma once
#include <keras/layers/pooling/base_pooling.h>

namespace keras::layers {

using MaxPooling1DOptions = BasePoolingOptions;

/// keras.layers.MaxPooling1D: the largest value of each window; (batch, steps, channels) -> pooled, or channels first.
class MaxPooling1D final : public BasePooling {
 public:
  explicit MaxPooling1D(const std::vector<int64_t>& pool_size = {2}, MaxPooling1DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<MaxPooling1D>(*this); }
};

}  // namespace keras::layers
