#include <keras/layers/merging/multiply.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

namespace keras::layers {

Multiply::Multiply(LayerOptions options) : Merge("Multiply", options) {}

Tensor Multiply::merge_function(const Tensors& inputs) {
  Tensor output = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) output = ops::multiply(output, inputs[i]);
  return output;
}

std::shared_ptr<Layer> Multiply::from_config(const Config& config) { return std::make_shared<Multiply>(base_options(config)); }

KERAS_REGISTER_LAYER(Multiply);

}  // namespace keras::layers
