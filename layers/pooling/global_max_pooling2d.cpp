#include <keras/layers/pooling/global_max_pooling2d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

GlobalMaxPooling2D::GlobalMaxPooling2D(GlobalMaxPooling2DOptions options) : BaseGlobalPooling("GlobalMaxPooling2D", 2, "max", options) {}

std::shared_ptr<Layer> GlobalMaxPooling2D::from_config(const Config& config) {
  return std::make_shared<GlobalMaxPooling2D>(options_from_config(config, "GlobalMaxPooling2D"));
}

KERAS_REGISTER_LAYER(GlobalMaxPooling2D);

}  // namespace keras::layers
