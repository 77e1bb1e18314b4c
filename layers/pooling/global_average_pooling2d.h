#pragma once
#include <keras/layers/pooling/base_global_pooling.h>

namespace keras::layers {

using GlobalAveragePooling2DOptions = BaseGlobalPoolingOptions;

/// keras.layers.GlobalAveragePooling2D: the mean over the spatial axes, (batch, rows, cols, channels) -> (batch, channels).
class GlobalAveragePooling2D final : public BaseGlobalPooling {
 public:
  explicit GlobalAveragePooling2D(GlobalAveragePooling2DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GlobalAveragePooling2D>(*this); }
};

}  // namespace keras::layers
