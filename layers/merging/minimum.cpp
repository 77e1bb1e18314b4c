#include <keras/layers/merging/minimum.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

namespace keras::layers {

Minimum::Minimum(LayerOptions options) : Merge("Minimum", options) {}

Tensor Minimum::merge_function(const Tensors& inputs) {
  Tensor output = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) output = ops::minimum(output, inputs[i]);
  return output;
}

std::shared_ptr<Layer> Minimum::from_config(const Config& config) { return std::make_shared<Minimum>(base_options(config)); }

KERAS_REGISTER_LAYER(Minimum);

}  // namespace keras::layers
