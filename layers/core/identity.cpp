#include <keras/layers/core/identity.h>

#include <keras/layers/registry.h>

namespace keras::layers {

Identity::Identity(LayerOptions options) : Layer("Identity", options) { set_built(true); }

Tensor Identity::call(const Tensor& inputs, bool /*training*/) { return inputs; }

Shape Identity::compute_output_shape(const Shape& input_shape) { return input_shape; }

std::shared_ptr<Layer> Identity::from_config(const Config& config) {
  return std::make_shared<Identity>(base_options(config));
}

KERAS_REGISTER_LAYER(Identity);

}  // namespace keras::layers
