#include <keras/layers/reshaping/up_sampling2d.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/registry.h>
#include <keras/layers/spatial_config.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace keras::layers {

namespace {

// TensorFlow's bilinear resize (half-pixel centres, no antialiasing) by an integer factor along one
// axis: output j samples the input at (j + 0.5) / factor - 0.5, between its two neighbours clamped to
// the edges. Built from take and arithmetic, so it is differentiable.
Tensor upsample_linear(const Tensor& x, int64_t axis, int64_t factor) {
  const int64_t n = x.shape()[axis], m = n * factor;
  std::vector<int32_t> lo(static_cast<size_t>(m)), hi(static_cast<size_t>(m));
  std::vector<double> frac(static_cast<size_t>(m));
  for (int64_t j = 0; j < m; ++j) {
    const double src = (static_cast<double>(j) + 0.5) / static_cast<double>(factor) - 0.5;
    const double f = std::floor(src);
    const auto k = static_cast<size_t>(j);
    lo[k] = static_cast<int32_t>(std::clamp<double>(f, 0, static_cast<double>(n - 1)));
    hi[k] = static_cast<int32_t>(std::clamp<double>(f + 1, 0, static_cast<double>(n - 1)));
    frac[k] = src - f;
  }
  std::vector<int64_t> weight_shape(static_cast<size_t>(x.rank()), 1);
  weight_shape[static_cast<size_t>(axis)] = m;
  const Tensor a = ops::take(x, Tensor::from_vector(lo).to(x.device()), axis);
  const Tensor b = ops::take(x, Tensor::from_vector(hi).to(x.device()), axis);
  const Tensor w = Tensor::from_vector(frac, Shape(weight_shape)).astype(x.dtype()).to(x.device());
  return ops::add(a, ops::multiply(ops::subtract(b, a), w));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

UpSampling2D::UpSampling2D(const std::vector<int64_t>& size, UpSampling2DOptions options)
    : Layer("UpSampling2D", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      size_(ops::conv_utils::normalize_tuple(size, 2, "size")),
      data_format_(ops::conv_utils::standardize_data_format(options.data_format)),
      interpolation_(lower(options.interpolation)) {
  if (interpolation_ == "bicubic" || interpolation_ == "lanczos3" || interpolation_ == "lanczos5" ||
      interpolation_ == "area") {
    throw NotImplementedError("UpSampling2D: interpolation '" + interpolation_ +
                              "' is not implemented; use 'nearest' or 'bilinear'");
  }
  if (interpolation_ != "nearest" && interpolation_ != "bilinear") {
    throw ValueError("UpSampling2D: `interpolation` must be one of 'nearest', 'bilinear', 'bicubic', 'lanczos3', "
                     "'lanczos5', but received interpolation='" + options.interpolation + "'");
  }
  set_input_spec({.ndim = 4});
  set_built(true);
}

Tensor UpSampling2D::call(const Tensor& inputs, bool /*training*/) {
  Tensor x = inputs;
  for (size_t i = 0; i < 2; ++i) {
    const int64_t axis = detail::spatial_axis(i, x.rank(), data_format_ == "channels_last");
    x = interpolation_ == "nearest" ? ops::repeat(x, size_[i], axis) : upsample_linear(x, axis, size_[i]);
  }
  return x;
}

Shape UpSampling2D::compute_output_shape(const Shape& input_shape) {
  Shape out = input_shape;
  for (size_t i = 0; i < 2; ++i) {
    const int64_t axis = detail::spatial_axis(i, input_shape.rank(), data_format_ == "channels_last");
    if (out[axis] != None) out[axis] *= size_[i];
  }
  return out;
}

Config UpSampling2D::get_config() const {
  Config c = Layer::get_config();
  c["size"] = size_;
  c["data_format"] = data_format_;
  c["interpolation"] = interpolation_;
  return c;
}

std::shared_ptr<Layer> UpSampling2D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  UpSampling2DOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  o.data_format = detail::string_from_config(config, "UpSampling2D", "data_format");
  const std::string interpolation = detail::string_from_config(config, "UpSampling2D", "interpolation");
  if (!interpolation.empty()) o.interpolation = interpolation;
  const std::vector<int64_t> size =
      config.contains("size") ? detail::ints_from_config(config["size"], "UpSampling2D", "size") : std::vector<int64_t>{2, 2};
  return std::make_shared<UpSampling2D>(size, o);
}

KERAS_REGISTER_LAYER(UpSampling2D);

}  // namespace keras::layers
