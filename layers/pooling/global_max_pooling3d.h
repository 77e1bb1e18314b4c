#pragma once
#include <keras/layers/pooling/base_global_pooling.h>

namespace keras::layers {

using GlobalMaxPooling3DOptions = BaseGlobalPoolingOptions;

/// keras.layers.GlobalMaxPooling3D: the max over the spatial axes, (batch, dim1, dim2, dim3, channels) -> (batch, channels).
class GlobalMaxPooling3D final : public BaseGlobalPooling {
 public:
  explicit GlobalMaxPooling3D(GlobalMaxPooling3DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GlobalMaxPooling3D>(*this); }
};

}  // namespace keras::layers
