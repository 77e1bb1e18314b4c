#include <keras/layers/merging/maximum.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

namespace keras::layers {

Maximum::Maximum(LayerOptions options) : Merge("Maximum", options) {}

Tensor Maximum::merge_function(const Tensors& inputs) {
  Tensor output = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) output = ops::maximum(output, inputs[i]);
  return output;
}

std::shared_ptr<Layer> Maximum::from_config(const Config& config) { return std::make_shared<Maximum>(base_options(config)); }

KERAS_REGISTER_LAYER(Maximum);

}  // namespace keras::layers
