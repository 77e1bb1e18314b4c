#include <keras/layers/regularization/dropout.h>

#include <keras/core/ops.h>
#include <keras/core/repr.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <cmath>

namespace keras::layers {

Dropout::Dropout(double rate, DropoutOptions options)
    : Layer("Dropout", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      rate_(rate),
      options_(std::move(options)) {
  if (!(rate >= 0 && rate <= 1)) {
    throw ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=" +
                     float_repr(rate));
  }
  if (options_.noise_shape) {
    const auto& dims = options_.noise_shape->dims();
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] == 0) {
        throw ValueError("Invalid value received for argument `noise_shape`. Expected all dimensions to be positive "
                         "integers or None. Received negative or zero value at index " + std::to_string(i) + ": 0");
      }
    }
  }
  if (rate > 0) seed_generator_ = std::make_shared<random::SeedGenerator>(options_.seed);
  set_built(true);
}

Tensor Dropout::call(const Tensor& inputs, bool training) {
  if (!training || rate_ == 0) return inputs;
  if (rate_ == 1) return ops::zeros_like(inputs);  // Keras selects zeros everywhere (keep_prob = 0)
  Shape mask_shape = inputs.shape();
  if (options_.noise_shape) {
    const Shape& noise = *options_.noise_shape;
    if (noise.rank() != inputs.rank()) {
      throw ValueError("Dropout \"" + name() + "\": noise_shape " + noise.str() + " must have the rank of the input, "
                       "but received input with shape " + inputs.shape().str());
    }
    for (int64_t d = 0; d < noise.rank(); ++d) {
      if (noise[d] == None) continue;
      if (noise[d] != 1 && noise[d] != inputs.shape()[d]) {
        throw ValueError("Dropout \"" + name() + "\": noise_shape " + noise.str() +
                         " does not broadcast to the input shape " + inputs.shape().str() +
                         " (each entry must be None, 1 or the input's size)");
      }
      mask_shape[d] = noise[d];
    }
  }
  const double keep_prob = 1.0 - rate_;
  const Tensor u = random::uniform(mask_shape, {.dtype = DType::float32, .seed = *seed_generator_});
  const Tensor kept = ops::cast(u < keep_prob, inputs.dtype());
  // (x * mask) / keep_prob gives exactly Keras's select(mask, x / keep_prob, 0).
  return (inputs * kept) / keep_prob;
}

Shape Dropout::compute_output_shape(const Shape& input_shape) { return input_shape; }

Config Dropout::get_config() const {
  Config c = Layer::get_config();
  c["rate"] = rate_;
  c["seed"] = seed_to_config(options_.seed);
  c["noise_shape"] = options_.noise_shape ? shape_to_config(*options_.noise_shape) : Config(nullptr);
  return c;
}

std::shared_ptr<Layer> Dropout::from_config(const Config& config) {
  if (!config.contains("rate") || !config["rate"].is_number()) {
    throw ValueError("Dropout config needs a number 'rate', got " + config.dump().substr(0, 200));
  }
  const LayerOptions base = base_options(config);
  DropoutOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("noise_shape") && !config["noise_shape"].is_null()) {
    o.noise_shape = shape_from_config(config["noise_shape"], "Dropout noise_shape");
  }
  o.seed = seed_from_config(config, "Dropout");
  return std::make_shared<Dropout>(config["rate"].get<double>(), o);
}

KERAS_REGISTER_LAYER(Dropout);

}  // namespace keras::layers
