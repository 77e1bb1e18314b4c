#include <keras/layers/pooling/average_pooling2d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

AveragePooling2D::AveragePooling2D(const std::vector<int64_t>& pool_size, AveragePooling2DOptions options)
    : BasePooling("AveragePooling2D", pool_size, 2, "average", options) {}

std::shared_ptr<Layer> AveragePooling2D::from_config(const Config& config) {
  auto [pool_size, options] = arguments_from_config(config, "AveragePooling2D");
  return std::make_shared<AveragePooling2D>(pool_size, options);
}

KERAS_REGISTER_LAYER(AveragePooling2D);

}  // namespace keras::layers
