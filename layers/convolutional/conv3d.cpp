#include <keras/layers/convolutional/conv3d.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

std::shared_ptr<Layer> Conv3D::from_config(const Config& config) {
  int64_t filters = 0;
  std::vector<int64_t> kernel_size;
  Conv3DOptions options = options_from_config(config, 3, &filters, &kernel_size);
  return std::make_shared<Conv3D>(filters, kernel_size, std::move(options));
}

KERAS_REGISTER_LAYER(Conv3D);

}  // namespace keras::layers
