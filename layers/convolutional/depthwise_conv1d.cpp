#include <keras/layers/convolutional/depthwise_conv1d.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

std::shared_ptr<Layer> DepthwiseConv1D::from_config(const Config& config) {
  std::vector<int64_t> kernel_size;
  DepthwiseConv1DOptions options = options_from_config(config, 1, &kernel_size);
  return std::make_shared<DepthwiseConv1D>(kernel_size, std::move(options));
}

KERAS_REGISTER_LAYER(DepthwiseConv1D);

}  // namespace keras::layers
