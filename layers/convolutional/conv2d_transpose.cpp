#include <keras/layers/convolutional/conv2d_transpose.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

std::shared_ptr<Layer> Conv2DTranspose::from_config(const Config& config) {
  int64_t filters = 0;
  std::vector<int64_t> kernel_size;
  Conv2DTransposeOptions options = options_from_config(config, 2, &filters, &kernel_size);
  return std::make_shared<Conv2DTranspose>(filters, kernel_size, std::move(options));
}

KERAS_REGISTER_LAYER(Conv2DTranspose);

}  // namespace keras::layers
