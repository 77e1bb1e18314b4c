#include <keras/layers/preprocessing/rescaling.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

Rescaling::Rescaling(double scale, RescalingOptions options)
    : Layer("Rescaling", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      scale_(scale),
      options_(std::move(options)) {}

Tensor Rescaling::call(const Tensor& inputs, bool /*training*/) {
  const Tensor x = ops::cast(inputs, compute_dtype());
  return x * Tensor::scalar(scale_, compute_dtype()) + Tensor::scalar(options_.offset, compute_dtype());
}

Shape Rescaling::compute_output_shape(const Shape& input_shape) { return input_shape; }

Config Rescaling::get_config() const {
  Config c = Layer::get_config();
  c["scale"] = scale_;
  c["offset"] = options_.offset;
  return c;
}

std::shared_ptr<Layer> Rescaling::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  auto number = [&](const char* key, double fallback) {
    if (!config.contains(key)) return fallback;
    const Config& v = config[key];
    if (v.is_number()) return v.get<double>();
    // Keras serialises a NumPy array scale as a "__numpy__" object: a per-channel scale.
    throw NotImplementedError(std::string("Rescaling: only a number is supported for '") + key + "', got " +
                              v.dump().substr(0, 200));
  };
  if (!config.contains("scale")) throw ValueError("Rescaling config needs 'scale', got " + config.dump().substr(0, 200));
  return std::make_shared<Rescaling>(
      number("scale", 1.0),
      RescalingOptions{.offset = number("offset", 0.0), .name = base.name, .trainable = base.trainable, .dtype = base.dtype});
}

KERAS_REGISTER_LAYER(Rescaling);

}  // namespace keras::layers
