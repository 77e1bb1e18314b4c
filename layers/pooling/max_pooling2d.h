#pragma once
#include <keras/layers/pooling/base_pooling.h>

namespace keras::layers {

using MaxPooling2DOptions = BasePoolingOptions;

/// keras.layers.MaxPooling2D: the largest value of each window; (batch, rows, cols, channels) -> pooled, or channels first.
class MaxPooling2D final : public BasePooling {
 public:
  explicit MaxPooling2D(const std::vector<int64_t>& pool_size = {2, 2}, MaxPooling2DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<MaxPooling2D>(*this); }
};

}  // namespace keras::layers
