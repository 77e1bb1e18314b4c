#include <keras/layers/reshaping/zero_padding3d.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/registry.h>
#include <keras/layers/spatial_config.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

ZeroPadding3D::ZeroPadding3D(const PairsArgument& padding, ZeroPadding3DOptions options)
    : Layer("ZeroPadding3D", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      padding_(padding.resolve(3, "ZeroPadding3D", "padding")),
      data_format_(ops::conv_utils::standardize_data_format(options.data_format)) {
  set_input_spec({.ndim = 5});
  set_built(true);
}

Tensor ZeroPadding3D::call(const Tensor& inputs, bool /*training*/) {
  return ops::pad(inputs, detail::all_axes(padding_, inputs.rank(), data_format_ == "channels_last"));
}

Shape ZeroPadding3D::compute_output_shape(const Shape& input_shape) {
  return detail::padded_shape(input_shape, padding_, data_format_ == "channels_last");
}

Config ZeroPadding3D::get_config() const {
  Config c = Layer::get_config();
  c["padding"] = detail::pairs_to_config(padding_);
  c["data_format"] = data_format_;
  return c;
}

std::shared_ptr<Layer> ZeroPadding3D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  ZeroPadding3DOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  o.data_format = detail::string_from_config(config, "ZeroPadding3D", "data_format");
  if (!config.contains("padding")) return std::make_shared<ZeroPadding3D>(PairsArgument{{1, 1}, {1, 1}, {1, 1}}, o);
  return std::make_shared<ZeroPadding3D>(PairsArgument(detail::pairs_from_config(config["padding"], 3, "ZeroPadding3D", "padding")), o);
}

KERAS_REGISTER_LAYER(ZeroPadding3D);

}  // namespace keras::layers
