#include <keras/layers/pooling/global_max_pooling1d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

GlobalMaxPooling1D::GlobalMaxPooling1D(GlobalMaxPooling1DOptions options) : BaseGlobalPooling("GlobalMaxPooling1D", 1, "max", options) {}

std::shared_ptr<Layer> GlobalMaxPooling1D::from_config(const Config& config) {
  return std::make_shared<GlobalMaxPooling1D>(options_from_config(config, "GlobalMaxPooling1D"));
}

KERAS_REGISTER_LAYER(GlobalMaxPooling1D);

}  // namespace keras::layers
