#pragma once
#include <keras/layers/pooling/base_pooling.h>

namespace keras::layers {

using AveragePooling3DOptions = BasePoolingOptions;

/// keras.layers.AveragePooling3D: the mean of each window (padded cells left out of the count); (batch, dim1, dim2, dim3, channels) -> pooled, or channels first.
class AveragePooling3D final : public BasePooling {
 public:
  explicit AveragePooling3D(const std::vector<int64_t>& pool_size = {2, 2, 2}, AveragePooling3DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<AveragePooling3D>(*this); }
};

}  // namespace keras::layers
