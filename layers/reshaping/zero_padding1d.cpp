#include <keras/layers/reshaping/zero_padding1d.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/registry.h>
#include <keras/layers/spatial_config.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

ZeroPadding1D::ZeroPadding1D(const PairsArgument& padding, ZeroPadding1DOptions options)
    : Layer("ZeroPadding1D", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      padding_(padding.resolve(1, "ZeroPadding1D", "padding")),
      data_format_(ops::conv_utils::standardize_data_format(options.data_format)) {
  set_input_spec({.ndim = 3});
  set_built(true);
}

Tensor ZeroPadding1D::call(const Tensor& inputs, bool /*training*/) {
  return ops::pad(inputs, detail::all_axes(padding_, inputs.rank(), data_format_ == "channels_last"));
}

Shape ZeroPadding1D::compute_output_shape(const Shape& input_shape) {
  return detail::padded_shape(input_shape, padding_, data_format_ == "channels_last");
}

Config ZeroPadding1D::get_config() const {
  Config c = Layer::get_config();
  c["padding"] = detail::pairs_to_config(padding_);
  c["data_format"] = data_format_;
  return c;
}

std::shared_ptr<Layer> ZeroPadding1D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  ZeroPadding1DOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  o.data_format = detail::string_from_config(config, "ZeroPadding1D", "data_format");
  if (!config.contains("padding")) return std::make_shared<ZeroPadding1D>(PairsArgument{1}, o);
  return std::make_shared<ZeroPadding1D>(PairsArgument(detail::pairs_from_config(config["padding"], 1, "ZeroPadding1D", "padding")), o);
}

KERAS_REGISTER_LAYER(ZeroPadding1D);

}  // namespace keras::layers
