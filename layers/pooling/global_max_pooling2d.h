#pragma once
#include <keras/layers/pooling/base_global_pooling.h>

namespace keras::layers {

using GlobalMaxPooling2DOptions = BaseGlobalPoolingOptions;

/// keras.layers.GlobalMaxPooling2D: the max over the spatial axes, (batch, rows, cols, channels) -> (batch, channels).
class GlobalMaxPooling2D final : public BaseGlobalPooling {
 public:
  explicit GlobalMaxPooling2D(GlobalMaxPooling2DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GlobalMaxPooling2D>(*this); }
};

}  // namespace keras::layers
