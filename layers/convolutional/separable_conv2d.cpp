#include <keras/layers/convolutional/separable_conv2d.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

std::shared_ptr<Layer> SeparableConv2D::from_config(const Config& config) {
  int64_t filters = 0;
  std::vector<int64_t> kernel_size;
  SeparableConv2DOptions options = options_from_config(config, 2, &filters, &kernel_size);
  return std::make_shared<SeparableConv2D>(filters, kernel_size, std::move(options));
}

KERAS_REGISTER_LAYER(SeparableConv2D);

}  // namespace keras::layers
