#include <keras/layers/activations/activation.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

Activation::Activation(keras::Activation activation, LayerOptions options)
    : Layer("Activation", options), activation_(std::move(activation)) {
  set_built(true);
}

Tensor Activation::call(const Tensor& inputs, bool /*training*/) { return activation_(inputs); }

Shape Activation::compute_output_shape(const Shape& input_shape) { return input_shape; }

Config Activation::get_config() const {
  Config c = Layer::get_config();
  c["activation"] = activation_.to_config();
  return c;
}

std::shared_ptr<Layer> Activation::from_config(const Config& config) {
  if (!config.contains("activation")) {
    throw ValueError("Activation config needs an 'activation', got " + config.dump().substr(0, 200));
  }
  return std::make_shared<Activation>(keras::Activation::from_config(config["activation"]), base_options(config));
}

KERAS_REGISTER_LAYER(Activation);

}  // namespace keras::layers
