#include <keras/layers/regularization/base_spatial_dropout.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <cmath>

namespace keras::layers {

BaseSpatialDropout::BaseSpatialDropout(std::string class_name, double rate, size_t spatial_dimensions,
                                       const std::string& data_format, std::optional<uint64_t> seed,
                                       const std::string& name, const std::string& dtype)
    : Layer(std::move(class_name), {.name = name, .trainable = true, .dtype = dtype}),
      rate_(rate),
      data_format_(spatial_dimensions == 1 ? "channels_last" : ops::conv_utils::standardize_data_format(data_format)),
      has_data_format_(spatial_dimensions > 1),
      seed_(seed) {
  if (!(rate >= 0 && rate <= 1)) {
    throw ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: "
                     "rate=" + (std::isnan(rate) ? std::string("nan") : Config(rate).dump()));
  }
  if (rate > 0) seed_generator_ = std::make_shared<random::SeedGenerator>(seed);
  set_input_spec({.ndim = static_cast<int64_t>(spatial_dimensions) + 2});
  set_built(true);
}

Tensor BaseSpatialDropout::call(const Tensor& inputs, bool training) {
  if (!training || rate_ == 0) return inputs;
  if (rate_ == 1) return ops::zeros_like(inputs);
  // One draw per (sample, channel): the noise shape is 1 on every spatial axis.
  Shape noise = inputs.shape();
  const int64_t first = data_format_ == "channels_last" ? 1 : 2;
  for (int64_t d = first; d < first + inputs.rank() - 2; ++d) noise[d] = 1;
  const double keep_prob = 1.0 - rate_;
  const Tensor u = random::uniform(noise, {.dtype = DType::float32, .seed = *seed_generator_});
  const Tensor kept = ops::cast(u < keep_prob, inputs.dtype());
  return (inputs * kept) / keep_prob;
}

Config BaseSpatialDropout::get_config() const {
  const Config base = Layer::get_config();
  Config c;
  c["rate"] = rate_;
  c["seed"] = seed_to_config(seed_);
  c["name"] = base["name"];
  c["dtype"] = base["dtype"];
  if (has_data_format_) c["data_format"] = data_format_;
  return c;
}

double BaseSpatialDropout::rate_from_config(const Config& config, const std::string& who) {
  if (!config.contains("rate") || !config["rate"].is_number()) {
    throw ValueError(who + " config needs a number 'rate', got " + config.dump().substr(0, 200));
  }
  return config["rate"].get<double>();
}

}  // namespace keras::layers
