#include <keras/layers/convolutional/conv1d_transpose.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

std::shared_ptr<Layer> Conv1DTranspose::from_config(const Config& config) {
  int64_t filters = 0;
  std::vector<int64_t> kernel_size;
  Conv1DTransposeOptions options = options_from_config(config, 1, &filters, &kernel_size);
  return std::make_shared<Conv1DTranspose>(filters, kernel_size, std::move(options));
}

KERAS_REGISTER_LAYER(Conv1DTranspose);

}  // namespace keras::layers
