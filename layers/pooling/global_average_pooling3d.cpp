#include <keras/layers/pooling/global_average_pooling3d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

GlobalAveragePooling3D::GlobalAveragePooling3D(GlobalAveragePooling3DOptions options) : BaseGlobalPooling("GlobalAveragePooling3D", 3, "average", options) {}

std::shared_ptr<Layer> GlobalAveragePooling3D::from_config(const Config& config) {
  return std::make_shared<GlobalAveragePooling3D>(options_from_config(config, "GlobalAveragePooling3D"));
}

KERAS_REGISTER_LAYER(GlobalAveragePooling3D);

}  // namespace keras::layers
