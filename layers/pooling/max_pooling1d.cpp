#include <keras/layers/pooling/max_pooling1d.h>

#include <keras/layers/registry.h>

namespace keras::layers {

MaxPooling1D::MaxPooling1D(const std::vector<int64_t>& pool_size, MaxPooling1DOptions options)
    : BasePooling("MaxPooling1D", pool_size, 1, "max", options) {}

std::shared_ptr<Layer> MaxPooling1D::from_config(const Config& config) {
  auto [pool_size, options] = arguments_from_config(config, "MaxPooling1D");
  return std::make_shared<MaxPooling1D>(pool_size, options);
}

KERAS_REGISTER_LAYER(MaxPooling1D);

}  // namespace keras::layers
