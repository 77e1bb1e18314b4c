#include <keras/layers/regularization/activity_regularization.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <cmath>

namespace keras::layers {

namespace {
// Keras's validate_float_arg, which L1L2 applies to both factors.
double checked_factor(double value, const char* name) {
  if (!std::isfinite(value) || value < 0) {
    const std::string shown = std::isnan(value)   ? "nan"
                              : std::isinf(value) ? (value > 0 ? "inf" : "-inf")
                                                  : Config(value).dump();
    throw ValueError(std::string("Invalid value for argument ") + name + ": expected a non-negative float. Received: " +
                     name + "=" + shown);
  }
  return value;
}
}  // namespace

ActivityRegularization::ActivityRegularization(ActivityRegularizationOptions options)
    : Layer("ActivityRegularization", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      options_(std::move(options)),
      regularizer_(regularizers::L1L2({.l1 = checked_factor(options_.l1, "l1"), .l2 = checked_factor(options_.l2, "l2")})) {
  set_built(true);
}

Tensor ActivityRegularization::call(const Tensor& inputs, bool /*training*/) {
  add_loss(regularizer_(inputs));
  return inputs;
}

Shape ActivityRegularization::compute_output_shape(const Shape& input_shape) { return input_shape; }

Config ActivityRegularization::get_config() const {
  Config c = Layer::get_config();
  c["l1"] = options_.l1;
  c["l2"] = options_.l2;
  return c;
}

std::shared_ptr<Layer> ActivityRegularization::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  ActivityRegularizationOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  for (const char* key : {"l1", "l2"}) {
    if (config.contains(key) && !config[key].is_number()) {
      throw ValueError(std::string("ActivityRegularization config: '") + key + "' must be a number, got " +
                       config[key].dump());
    }
  }
  o.l1 = config.value("l1", 0.0);
  o.l2 = config.value("l2", 0.0);
  return std::make_shared<ActivityRegularization>(o);
}

KERAS_REGISTER_LAYER(ActivityRegularization);

}  // namespace keras::layers
