#include <keras/layers/reshaping/up_sampling3d.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/registry.h>
#include <keras/layers/spatial_config.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

UpSampling3D::UpSampling3D(const std::vector<int64_t>& size, UpSampling3DOptions options)
    : Layer("UpSampling3D", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      size_(ops::conv_utils::normalize_tuple(size, 3, "size")),
      data_format_(ops::conv_utils::standardize_data_format(options.data_format)) {
  set_input_spec({.ndim = 5});
  set_built(true);
}

Tensor UpSampling3D::call(const Tensor& inputs, bool /*training*/) {
  Tensor x = inputs;
  for (size_t i = 0; i < 3; ++i) x = ops::repeat(x, size_[i], detail::spatial_axis(i, x.rank(), data_format_ == "channels_last"));
  return x;
}

Shape UpSampling3D::compute_output_shape(const Shape& input_shape) {
  Shape out = input_shape;
  for (size_t i = 0; i < 3; ++i) {
    const int64_t axis = detail::spatial_axis(i, input_shape.rank(), data_format_ == "channels_last");
    if (out[axis] != None) out[axis] *= size_[i];
  }
  return out;
}

Config UpSampling3D::get_config() const {
  Config c = Layer::get_config();
  c["size"] = size_;
  c["data_format"] = data_format_;
  return c;
}

std::shared_ptr<Layer> UpSampling3D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  UpSampling3DOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  o.data_format = detail::string_from_config(config, "UpSampling3D", "data_format");
  const std::vector<int64_t> size = config.contains("size") ? detail::ints_from_config(config["size"], "UpSampling3D", "size")
                                                            : std::vector<int64_t>{2, 2, 2};
  return std::make_shared<UpSampling3D>(size, o);
}

KERAS_REGISTER_LAYER(UpSampling3D);

}  // namespace keras::layers
