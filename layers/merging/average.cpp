#include <keras/layers/merging/average.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

namespace keras::layers {

Average::Average(LayerOptions options) : Merge("Average", options) {}

Tensor Average::merge_function(const Tensors& inputs) {
  Tensor output = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) output = ops::add(output, inputs[i]);
  return output / static_cast<double>(inputs.size());
}

std::shared_ptr<Layer> Average::from_config(const Config& config) { return std::make_shared<Average>(base_options(config)); }

KERAS_REGISTER_LAYER(Average);

}  // namespace keras::layers
