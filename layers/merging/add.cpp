#include <keras/layers/merging/add.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

namespace keras::layers {

Add::Add(LayerOptions options) : Merge("Add", options) {}

Tensor Add::merge_function(const Tensors& inputs) {
  Tensor output = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) output = ops::add(output, inputs[i]);
  return output;
}

std::shared_ptr<Layer> Add::from_config(const Config& config) { return std::make_shared<Add>(base_options(config)); }

KERAS_REGISTER_LAYER(Add);

}  // namespace keras::layers
