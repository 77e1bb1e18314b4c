#pragma once
#include <keras/layers/pooling/base_pooling.h>

namespace keras::layers {

using MaxPooling3DOptions = BasePoolingOptions;

/// keras.layers.MaxPooling3D: the largest value of each window; (batch, dim1, dim2, dim3, channels) -> pooled, or channels first.
class MaxPooling3D final : public BasePooling {
 public:
  explicit MaxPooling3D(const std::vector<int64_t>& pool_size = {2, 2, 2}, MaxPooling3DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<MaxPooling3D>(*this); }
};

}  // namespace keras::layers
