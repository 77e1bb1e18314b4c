#include <keras/layers/pooling/base_global_pooling.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/spatial_config.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

BaseGlobalPooling::BaseGlobalPooling(std::string class_name, size_t pool_dimensions, std::string pool_mode,
                                     const BaseGlobalPoolingOptions& options)
    : Layer(std::move(class_name), {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      data_format_(ops::conv_utils::standardize_data_format(options.data_format)),
      keepdims_(options.keepdims),
      pool_mode_(std::move(pool_mode)) {
  set_input_spec({.ndim = static_cast<int64_t>(pool_dimensions) + 2});
  set_built(true);
}

Tensor BaseGlobalPooling::call(const Tensor& inputs, bool /*training*/) {
  std::vector<int64_t> axes;
  const int64_t first = data_format_ == "channels_last" ? 1 : 2;
  for (int64_t a = first; a < first + inputs.rank() - 2; ++a) axes.push_back(a);
  const ops::Axes spatial(axes);
  return pool_mode_ == "max" ? ops::max(inputs, spatial, keepdims_) : ops::mean(inputs, spatial, keepdims_);
}

Shape BaseGlobalPooling::compute_output_shape(const Shape& input_shape) {
  const int64_t channels = data_format_ == "channels_last" ? input_shape[input_shape.rank() - 1] : input_shape[1];
  std::vector<int64_t> d{input_shape[0]};
  if (data_format_ == "channels_first") d.push_back(channels);
  if (keepdims_) d.insert(d.end(), static_cast<size_t>(input_shape.rank() - 2), 1);
  if (data_format_ == "channels_last") d.push_back(channels);
  return Shape(d);
}

Config BaseGlobalPooling::get_config() const {
  Config c = Layer::get_config();
  c["data_format"] = data_format_;
  c["keepdims"] = keepdims_;
  return c;
}

BaseGlobalPoolingOptions BaseGlobalPooling::options_from_config(const Config& config, const std::string& who) {
  const LayerOptions base = base_options(config);
  BaseGlobalPoolingOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  o.data_format = detail::string_from_config(config, who, "data_format");
  if (config.contains("keepdims") && !config["keepdims"].is_null()) {
    if (!config["keepdims"].is_boolean()) {
      throw ValueError(who + " config: 'keepdims' must be a bool, got " + config["keepdims"].dump());
    }
    o.keepdims = config["keepdims"].get<bool>();
  }
  return o;
}

}  // namespace keras::layers
