#include <keras/layers/pooling/global_max_pooling3d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

GlobalMaxPooling3D::GlobalMaxPooling3D(GlobalMaxPooling3DOptions options) : BaseGlobalPooling("GlobalMaxPooling3D", 3, "max", options) {}

std::shared_ptr<Layer> GlobalMaxPooling3D::from_config(const Config& config) {
  return std::make_shared<GlobalMaxPooling3D>(options_from_config(config, "GlobalMaxPooling3D"));
}

KERAS_REGISTER_LAYER(GlobalMaxPooling3D);

}  // namespace keras::layers
