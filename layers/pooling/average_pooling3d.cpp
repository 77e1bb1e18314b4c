#include <keras/layers/pooling/average_pooling3d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

AveragePooling3D::AveragePooling3D(const std::vector<int64_t>& pool_size, AveragePooling3DOptions options)
    : BasePooling("AveragePooling3D", pool_size, 3, "average", options) {}

std::shared_ptr<Layer> AveragePooling3D::from_config(const Config& config) {
  auto [pool_size, options] = arguments_from_config(config, "AveragePooling3D");
  return std::make_shared<AveragePooling3D>(pool_size, options);
}

KERAS_REGISTER_LAYER(AveragePooling3D);

}  // namespace keras::layers
