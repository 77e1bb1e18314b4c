#pragma once
#include <keras/layers/pooling/base_global_pooling.h>

namespace keras::layers {

using GlobalMaxPooling1DOptions = BaseGlobalPoolingOptions;

/// keras.layers.GlobalMaxPooling1D: the max over the spatial axes, (batch, steps, channels) -> (batch, channels).
class GlobalMaxPooling1D final : public BaseGlobalPooling {
 public:
  explicit GlobalMaxPooling1D(GlobalMaxPooling1DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GlobalMaxPooling1D>(*this); }
};

}  // namespace keras::layers
