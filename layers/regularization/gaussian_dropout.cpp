#include <keras/layers/regularization/gaussian_dropout.h>

#include <keras/core/ops.h>
#include <keras/core/repr.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <cmath>

namespace keras::layers {

GaussianDropout::GaussianDropout(double rate, GaussianDropoutOptions options)
    : Layer("GaussianDropout", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      rate_(rate),
      options_(std::move(options)) {
  if (!(rate >= 0 && rate <= 1)) {
    throw ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=" +
                     float_repr(rate));
  }
  if (rate > 0) seed_generator_ = std::make_shared<random::SeedGenerator>(options_.seed);
  set_built(true);
}

Tensor GaussianDropout::call(const Tensor& inputs, bool training) {
  if (!training || rate_ == 0) return inputs;
  if (rate_ == 1) {
    // Keras accepts rate=1 but then fails on sqrt(rate / (1 - rate)) with a ZeroDivisionError.
    throw ValueError("GaussianDropout \"" + name() + "\": rate=1.0 gives an infinite noise standard deviation "
                     "sqrt(rate / (1 - rate)); use a rate below 1");
  }
  const double stddev = std::sqrt(rate_ / (1.0 - rate_));
  const DType dtype = is_floating(inputs.dtype()) ? inputs.dtype() : compute_dtype();
  return inputs * random::normal(inputs.shape(), {.mean = 1.0, .stddev = stddev, .dtype = dtype,
                                                  .seed = *seed_generator_});
}

Shape GaussianDropout::compute_output_shape(const Shape& input_shape) { return input_shape; }

Config GaussianDropout::get_config() const {
  Config c = Layer::get_config();
  c["rate"] = rate_;
  c["seed"] = seed_to_config(options_.seed);
  return c;
}

std::shared_ptr<Layer> GaussianDropout::from_config(const Config& config) {
  if (!config.contains("rate") || !config["rate"].is_number()) {
    throw ValueError("GaussianDropout config needs a number 'rate', got " + config.dump().substr(0, 200));
  }
  const LayerOptions base = base_options(config);
  GaussianDropoutOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  o.seed = seed_from_config(config, "GaussianDropout");
  return std::make_shared<GaussianDropout>(config["rate"].get<double>(), o);
}

KERAS_REGISTER_LAYER(GaussianDropout);

}  // namespace keras::layers
