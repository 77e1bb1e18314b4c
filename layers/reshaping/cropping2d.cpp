#include <keras/layers/reshaping/cropping2d.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/registry.h>
#include <keras/layers/spatial_config.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

Cropping2D::Cropping2D(const PairsArgument& cropping, Cropping2DOptions options)
    : Layer("Cropping2D", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      cropping_(cropping.resolve(2, "Cropping2D", "cropping")),
      data_format_(ops::conv_utils::standardize_data_format(options.data_format)) {
  set_input_spec({.ndim = 4});
  set_built(true);
}

Tensor Cropping2D::call(const Tensor& inputs, bool /*training*/) {
  return detail::crop(inputs, cropping_, data_format_ == "channels_last");
}

Shape Cropping2D::compute_output_shape(const Shape& input_shape) {
  return detail::cropped_shape(input_shape, cropping_, data_format_ == "channels_last");
}

Config Cropping2D::get_config() const {
  Config c = Layer::get_config();
  c["cropping"] = detail::pairs_to_config(cropping_);
  c["data_format"] = data_format_;
  return c;
}

std::shared_ptr<Layer> Cropping2D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  Cropping2DOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  o.data_format = detail::string_from_config(config, "Cropping2D", "data_format");
  if (!config.contains("cropping")) return std::make_shared<Cropping2D>(PairsArgument{{0, 0}, {0, 0}}, o);
  return std::make_shared<Cropping2D>(PairsArgument(detail::pairs_from_config(config["cropping"], 2, "Cropping2D", "cropping")), o);
}

KERAS_REGISTER_LAYER(Cropping2D);

}  // namespace keras::layers
