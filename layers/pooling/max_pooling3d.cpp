#include <keras/layers/pooling/max_pooling3d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

MaxPooling3D::MaxPooling3D(const std::vector<int64_t>& pool_size, MaxPooling3DOptions options)
    : BasePooling("MaxPooling3D", pool_size, 3, "max", options) {}

std::shared_ptr<Layer> MaxPooling3D::from_config(const Config& config) {
  auto [pool_size, options] = arguments_from_config(config, "MaxPooling3D");
  return std::make_shared<MaxPooling3D>(pool_size, options);
}

KERAS_REGISTER_LAYER(MaxPooling3D);

}  // namespace keras::layers
