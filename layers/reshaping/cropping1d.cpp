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
  const Shape out = compute_output_shape(inputs.shape());
  std::vector<int64_t> starts(static_cast<size_t>(inputs.rank()), 0);
  for (size_t i = 0; i < cropping_.size(); ++i) {
    starts[static_cast<size_t>(detail::spatial_axis(i, inputs.rank(), data_format_ == "channels_last"))] = cropping_[i].first;
  }
  return ops::slice(inputs, starts, out.dims());
}

Shape Cropping1D::compute_output_shape(const Shape& input_shape) {
  Shape out = input_shape;
  for (size_t i = 0; i < cropping_.size(); ++i) {
    const int64_t axis = detail::spatial_axis(i, input_shape.rank(), data_format_ == "channels_last");
    if (out[axis] == None) continue;
    out[axis] -= cropping_[i].first + cropping_[i].second;
    if (out[axis] <= 0) {
      throw ValueError("Values in `cropping` argument should be smaller than the corresponding spatial dimension of "
                       "the input. Received: input_shape=" + input_shape.str() + ", cropping=" +
                       detail::pairs_to_config(cropping_).dump());
    }
  }
  return out;
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
