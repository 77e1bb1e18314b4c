#pragma once
#include <keras/layers/pooling/base_global_pooling.h>

namespace keras::layers {

using GlobalAveragePooling1DOptions = BaseGlobalPoolingOptions;

/// keras.layers.GlobalAveragePooling1D: the mean over the spatial axes, (batch, steps, channels) -> (batch, channels).
/// Keras's optional mask argument is not supported: keras-cpp layers have no masks yet.
class GlobalAveragePooling1D final : public BaseGlobalPooling {
 public:
  explicit GlobalAveragePooling1D(GlobalAveragePooling1DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GlobalAveragePooling1D>(*this); }
};

}  // namespace keras::layers
