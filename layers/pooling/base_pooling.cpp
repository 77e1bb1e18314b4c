#include <keras/layers/pooling/base_pooling.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/spatial_config.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

BasePooling::BasePooling(std::string class_name, const std::vector<int64_t>& pool_size, size_t pool_dimensions,
                         std::string pool_mode, const BasePoolingOptions& options)
    : Layer(std::move(class_name), {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      pool_size_(ops::conv_utils::normalize_tuple(pool_size, pool_dimensions, "pool_size")),
      strides_(ops::conv_utils::normalize_tuple(options.strides.empty() ? pool_size : options.strides,
                                                pool_dimensions, "strides")),
      padding_(options.padding),
      data_format_(ops::conv_utils::standardize_data_format(options.data_format)),
      pool_mode_(std::move(pool_mode)) {
  ops::conv_utils::standardize_padding(padding_);  // fails early on anything but valid/same
  set_input_spec({.ndim = static_cast<int64_t>(pool_dimensions) + 2});
  set_built(true);
}

Tensor BasePooling::call(const Tensor& inputs, bool /*training*/) {
  const ops::PoolOptions o{.strides = strides_, .padding = padding_, .data_format = data_format_};
  return pool_mode_ == "max" ? ops::max_pool(inputs, pool_size_, o) : ops::average_pool(inputs, pool_size_, o);
}

Shape BasePooling::compute_output_shape(const Shape& input_shape) {
  const std::string padding = ops::conv_utils::standardize_padding(padding_);
  Shape out = input_shape;
  const int64_t first = data_format_ == "channels_last" ? 1 : 2;
  for (size_t i = 0; i < pool_size_.size(); ++i) {
    const int64_t axis = first + static_cast<int64_t>(i);
    if (axis >= input_shape.rank() || input_shape[axis] == None) continue;
    out[axis] = ops::conv_utils::output_length(input_shape[axis], pool_size_[i], padding, strides_[i]);
    if (out[axis] <= 0) {
      throw ValueError("Computed output size would be negative. Received: `inputs.shape=" + input_shape.str() +
                       "` and `pool_size=" + Shape(pool_size_).str() + "`.");
    }
  }
  return out;
}

Config BasePooling::get_config() const {
  Config c = Layer::get_config();
  c["pool_size"] = pool_size_;
  c["padding"] = padding_;
  c["strides"] = strides_;
  c["data_format"] = data_format_;
  return c;
}

std::pair<std::vector<int64_t>, BasePoolingOptions> BasePooling::arguments_from_config(const Config& config,
                                                                                      const std::string& who) {
  if (!config.contains("pool_size")) throw ValueError(who + " config needs 'pool_size', got " + config.dump().substr(0, 200));
  const LayerOptions base = base_options(config);
  BasePoolingOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("strides") && !config["strides"].is_null()) {
    o.strides = detail::ints_from_config(config["strides"], who, "strides");
  }
  const std::string padding = detail::string_from_config(config, who, "padding");
  if (!padding.empty()) o.padding = padding;
  o.data_format = detail::string_from_config(config, who, "data_format");
  return {detail::ints_from_config(config["pool_size"], who, "pool_size"), o};
}

}  // namespace keras::layers
