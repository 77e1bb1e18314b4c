#include <keras/layers/merging/subtract.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

namespace keras::layers {

Subtract::Subtract(LayerOptions options) : Merge("Subtract", options) {}

std::vector<Shape> Subtract::compute_output_shape(const std::vector<Shape>& input_shapes) {
  std::vector<Shape> out = Merge::compute_output_shape(input_shapes);
  if (input_shapes.size() != 2) {
    throw ValueError("A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=" +
                     shapes_str(input_shapes));
  }
  return out;
}

Tensor Subtract::merge_function(const Tensors& inputs) { return ops::subtract(inputs.at(0), inputs.at(1)); }

std::shared_ptr<Layer> Subtract::from_config(const Config& config) {
  return std::make_shared<Subtract>(base_options(config));
}

KERAS_REGISTER_LAYER(Subtract);

}  // namespace keras::layers
