#include <keras/layers/reshaping/repeat_vector.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

RepeatVector::RepeatVector(int64_t n, LayerOptions options) : Layer("RepeatVector", options), n_(n) {
  // Keras accepts any integer here and fails later in ops.repeat; a negative count is caught now.
  if (n < 0) {
    throw ValueError("Received an invalid value for `n`, expected a non-negative integer. Received: n=" +
                     std::to_string(n));
  }
  set_input_spec({.ndim = 2});
}

Tensor RepeatVector::call(const Tensor& inputs, bool /*training*/) {
  const Tensor x = ops::expand_dims(inputs, 1);
  return ops::repeat(x, n_, 1);
}

Shape RepeatVector::compute_output_shape(const Shape& input_shape) {
  if (input_shape.rank() != 2) {
    throw ValueError("RepeatVector \"" + name() + "\" expects inputs of shape (batch, features), but received shape " +
                     input_shape.str());
  }
  return Shape{input_shape[0], n_, input_shape[1]};
}

Config RepeatVector::get_config() const {
  Config c = Layer::get_config();
  c["n"] = n_;
  return c;
}

std::shared_ptr<Layer> RepeatVector::from_config(const Config& config) {
  if (!config.contains("n") || !config["n"].is_number_integer()) {
    throw ValueError("Expected an integer value for `n`, got " +
                     (config.contains("n") ? config["n"].dump() : std::string("no 'n' in the config")));
  }
  return std::make_shared<RepeatVector>(config["n"].get<int64_t>(), base_options(config));
}

KERAS_REGISTER_LAYER(RepeatVector);

}  // namespace keras::layers
