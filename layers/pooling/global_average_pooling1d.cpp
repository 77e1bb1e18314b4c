#include <keras/layers/pooling/global_average_pooling1d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

GlobalAveragePooling1D::GlobalAveragePooling1D(GlobalAveragePooling1DOptions options) : BaseGlobalPooling("GlobalAveragePooling1D", 1, "average", options) {}

std::shared_ptr<Layer> GlobalAveragePooling1D::from_config(const Config& config) {
  return std::make_shared<GlobalAveragePooling1D>(options_from_config(config, "GlobalAveragePooling1D"));
}

KERAS_REGISTER_LAYER(GlobalAveragePooling1D);

}  // namespace keras::layers
