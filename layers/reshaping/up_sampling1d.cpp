#include <keras/layers/reshaping/up_sampling1d.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

UpSampling1D::UpSampling1D(int64_t size, UpSampling1DOptions options)
    : Layer("UpSampling1D", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      size_(size) {
  if (size < 1) throw ValueError("UpSampling1D: `size` must be a positive integer, but received size=" + std::to_string(size));
  set_input_spec({.ndim = 3});
  set_built(true);
}

Tensor UpSampling1D::call(const Tensor& inputs, bool /*training*/) { return ops::repeat(inputs, size_, 1); }

Shape UpSampling1D::compute_output_shape(const Shape& input_shape) {
  Shape out = input_shape;
  if (out[1] != None) out[1] *= size_;
  return out;
}

Config UpSampling1D::get_config() const {
  Config c = Layer::get_config();
  c["size"] = size_;
  return c;
}

std::shared_ptr<Layer> UpSampling1D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  int64_t size = 2;
  if (config.contains("size")) {
    if (!config["size"].is_number_integer()) {
      throw ValueError("UpSampling1D config: 'size' must be an int, got " + config["size"].dump());
    }
    size = config["size"].get<int64_t>();
  }
  return std::make_shared<UpSampling1D>(size, UpSampling1DOptions{.name = base.name, .trainable = base.trainable,
                                                                  .dtype = base.dtype});
}

KERAS_REGISTER_LAYER(UpSampling1D);

}  // namespace keras::layers
