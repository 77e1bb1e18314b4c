#include <keras/layers/regularization/gaussian_noise.h>

#include <keras/core/ops.h>
#include <keras/core/repr.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <cmath>

namespace keras::layers {

GaussianNoise::GaussianNoise(double stddev, GaussianNoiseOptions options)
    : Layer("GaussianNoise", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      stddev_(stddev),
      options_(std::move(options)) {
  if (!(stddev >= 0 && stddev <= 1)) {
    throw ValueError("Invalid value received for argument `stddev`. Expected a float value between 0 and 1. "
                     "Received: stddev=" + float_repr(stddev));
  }
  if (stddev > 0) seed_generator_ = std::make_shared<random::SeedGenerator>(options_.seed);
  set_built(true);
}

Tensor GaussianNoise::call(const Tensor& inputs, bool training) {
  if (!training || stddev_ == 0) return inputs;
  const DType dtype = is_floating(inputs.dtype()) ? inputs.dtype() : compute_dtype();
  return inputs + random::normal(inputs.shape(), {.mean = 0.0, .stddev = stddev_, .dtype = dtype,
                                                  .seed = *seed_generator_});
}

Shape GaussianNoise::compute_output_shape(const Shape& input_shape) { return input_shape; }

Config GaussianNoise::get_config() const {
  Config c = Layer::get_config();
  c["stddev"] = stddev_;
  c["seed"] = seed_to_config(options_.seed);
  return c;
}

std::shared_ptr<Layer> GaussianNoise::from_config(const Config& config) {
  if (!config.contains("stddev") || !config["stddev"].is_number()) {
    throw ValueError("GaussianNoise config needs a number 'stddev', got " + config.dump().substr(0, 200));
  }
  const LayerOptions base = base_options(config);
  GaussianNoiseOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  o.seed = seed_from_config(config, "GaussianNoise");
  return std::make_shared<GaussianNoise>(config["stddev"].get<double>(), o);
}

KERAS_REGISTER_LAYER(GaussianNoise);

}  // namespace keras::layers
