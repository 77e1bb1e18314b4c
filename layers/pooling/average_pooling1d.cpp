#include <keras/layers/pooling/average_pooling1d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

AveragePooling1D::AveragePooling1D(const std::vector<int64_t>& pool_size, AveragePooling1DOptions options)
    : BasePooling("AveragePooling1D", pool_size, 1, "average", options) {}

std::shared_ptr<Layer> AveragePooling1D::from_config(const Config& config) {
  auto [pool_size, options] = arguments_from_config(config, "AveragePooling1D");
  return std::make_shared<AveragePooling1D>(pool_size, options);
}

KERAS_REGISTER_LAYER(AveragePooling1D);

}  // namespace keras::layers
