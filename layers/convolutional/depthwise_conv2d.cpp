#include <keras/layers/convolutional/depthwise_conv2d.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

std::shared_ptr<Layer> DepthwiseConv2D::from_config(const Config& config) {
  std::vector<int64_t> kernel_size;
  DepthwiseConv2DOptions options = options_from_config(config, 2, &kernel_size);
  return std::make_shared<DepthwiseConv2D>(kernel_size, std::move(options));
}

KERAS_REGISTER_LAYER(DepthwiseConv2D);

}  // namespace keras::layers
