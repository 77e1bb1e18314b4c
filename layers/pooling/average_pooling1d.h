#pragma once
#include <keras/layers/pooling/base_pooling.h>

namespace keras::layers {

using AveragePooling1DOptions = BasePoolingOptions;

/// keras.layers.AveragePooling1D: the mean of each window (padded cells left out of the count); (batch, steps, channels) -> pooled, or channels first.
class AveragePooling1D final : public BasePooling {
 public:
  explicit AveragePooling1D(const std::vector<int64_t>& pool_size = {2}, AveragePooling1DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<AveragePooling1D>(*this); }
};

}  // namespace keras::layers
