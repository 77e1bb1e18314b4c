#pragma once
#include <keras/layers/pooling/base_global_pooling.h>

namespace keras::layers {

using GlobalAveragePooling3DOptions = BaseGlobalPoolingOptions;

/// keras.layers.GlobalAveragePooling3D: the mean over the spatial axes, (batch, dim1, dim2, dim3, channels) -> (batch, channels).
class GlobalAveragePooling3D final : public BaseGlobalPooling {
 public:
  explicit GlobalAveragePooling3D(GlobalAveragePooling3DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GlobalAveragePooling3D>(*this); }
};

}  // namespace keras::layers
