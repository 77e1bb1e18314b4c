#include <keras/layers/reshaping/cropping1d.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/registry.h>
#include <keras/layers/spatial_config.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

Cropping1D::Cropping1D(const PairsArgument& cropping, Cropping1DOptions options)
    : Layer("Cropping1D", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      cropping_(cropping.resolve(1, "Cropping1D", "cropping")),
      data_format_("channels_last") {
  set_input_spec({.ndim = 3});
  set_built(true);
}

Tensor Cropping1D::call(const Tensor& inputs, bool /*training*/) {
  return detail::crop(inputs, cropping_, data_format_ == "channels_last");
}

Shape Cropping1D::compute_output_shape(const Shape& input_shape) {
  return detail::cropped_shape(input_shape, cropping_, data_format_ == "channels_last");
}

Config Cropping1D::get_config() const {
  Config c = Layer::get_config();
  c["cropping"] = detail::pairs_to_config(cropping_);
  return c;
}

std::shared_ptr<Layer> Cropping1D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  Cropping1DOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (!config.contains("cropping")) return std::make_shared<Cropping1D>(PairsArgument{1, 1}, o);
  return std::make_shared<Cropping1D>(PairsArgument(detail::pairs_from_config(config["cropping"], 1, "Cropping1D", "cropping")), o);
}

KERAS_REGISTER_LAYER(Cropping1D);

}  // namespace keras::layers
