#include <keras/layers/pooling/global_average_pooling2d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

GlobalAveragePooling2D::GlobalAveragePooling2D(GlobalAveragePooling2DOptions options) : BaseGlobalPooling("GlobalAveragePooling2D", 2, "average", options) {}

std::shared_ptr<Layer> GlobalAveragePooling2D::from_config(const Config& config) {
  return std::make_shared<GlobalAveragePooling2D>(options_from_config(config, "GlobalAveragePooling2D"));
}

KERAS_REGISTER_LAYER(GlobalAveragePooling2D);

}  // namespace keras::layers
