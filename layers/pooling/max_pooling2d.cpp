#include <keras/layers/pooling/max_pooling2d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

MaxPooling2D::MaxPooling2D(const std::vector<int64_t>& pool_size, MaxPooling2DOptions options)
    : BasePooling("MaxPooling2D", pool_size, 2, "max", options) {}

std::shared_ptr<Layer> MaxPooling2D::from_config(const Config& config) {
  auto [pool_size, options] = arguments_from_config(config, "MaxPooling2D");
  return std::make_shared<MaxPooling2D>(pool_size, options);
}

KERAS_REGISTER_LAYER(MaxPooling2D);

}  // namespace keras::layers
