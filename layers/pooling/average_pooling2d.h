#pragma once
#include <keras/layers/pooling/base_pooling.h>

namespace keras::layers {

using AveragePooling2DOptions = BasePoolingOptions;

/// keras.layers.AveragePooling2D: the mean of each window (padded cells left out of the count); (batch, rows, cols, channels) -> pooled, or channels first.
class AveragePooling2D final : public BasePooling {
 public:
  explicit AveragePooling2D(const std::vector<int64_t>& pool_size = {2, 2}, AveragePooling2DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<AveragePooling2D>(*this); }
};

}  // namespace keras::layers
