#include <keras/layers/convolutional/base_conv.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/convolutional/conv_config.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

namespace conv_detail {

std::vector<int64_t> tuple_from_config(const Config& config, const std::string& key, std::vector<int64_t> fallback) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  const Config& v = config[key];
  if (v.is_number_integer()) return {v.get<int64_t>()};
  if (v.is_array() && std::all_of(v.begin(), v.end(), [](const Config& e) { return e.is_number_integer(); })) {
    return v.get<std::vector<int64_t>>();
  }
  throw ValueError("Conv config: '" + key + "' must be an integer or a list of integers, got " + v.dump());
}

Shape conv_output_shape(const Shape& input_shape, int64_t filters, const std::vector<int64_t>& kernel_size,
                        const std::vector<int64_t>& strides, const std::string& padding, bool channels_first,
                        const std::vector<int64_t>& dilation_rate) {
  const size_t rank = kernel_size.size();
  if (input_shape.rank() != static_cast<int64_t>(rank) + 2) {
    throw ValueError("Kernel shape must have the same length as input, but received kernel_size=" +
                     Shape(kernel_size).str() + " and input of shape " + input_shape.str());
  }
  std::vector<int64_t> dims{input_shape[0]};
  if (channels_first) dims.push_back(filters);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t in = input_shape[static_cast<int64_t>(channels_first ? i + 2 : i + 1)];
    if (in == None) {
      dims.push_back(None);
      continue;
    }
    const int64_t out = ops::conv_utils::output_length(in, kernel_size[i], padding, strides[i], dilation_rate[i]);
    if (out <= 0) {
      throw ValueError("Computed output size would be negative. Received `inputs shape=" + input_shape.str() +
                       "`, `kernel_size=" + Shape(kernel_size).str() + "`, `dilation_rate=" +
                       Shape(dilation_rate).str() + "`.");
    }
    dims.push_back(out);
  }
  if (!channels_first) dims.push_back(filters);
  return Shape(dims);
}

void check_conv_arguments(const std::vector<int64_t>& strides, const std::vector<int64_t>& dilation_rate) {
  const bool strided = std::any_of(strides.begin(), strides.end(), [](int64_t s) { return s > 1; });
  const bool dilated = std::any_of(dilation_rate.begin(), dilation_rate.end(), [](int64_t d) { return d > 1; });
  if (strided && dilated) {
    throw ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=" +
                     Shape(strides).str() + " and dilation_rate=" + Shape(dilation_rate).str());
  }
}

Tensor bias_for(const Tensor& bias, int64_t rank, bool channels_first) {
  if (!channels_first) return bias;
  std::vector<int64_t> dims(static_cast<size_t>(rank + 2), 1);
  dims[1] = bias.shape()[0];
  return ops::reshape(bias, Shape(dims));
}

}  // namespace conv_detail

BaseConv::BaseConv(const std::string& class_name, int64_t rank, int64_t filters,
                   const std::vector<int64_t>& kernel_size, BaseConvOptions options)
    : Layer(class_name, {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      rank_(rank),
      filters_(filters),
      options_(std::move(options)) {
  using namespace ops::conv_utils;
  kernel_size_ = normalize_tuple(kernel_size, static_cast<size_t>(rank), "kernel_size");
  strides_ = normalize_tuple(options_.strides, static_cast<size_t>(rank), "strides");
  dilation_rate_ = normalize_tuple(options_.dilation_rate, static_cast<size_t>(rank), "dilation_rate");
  padding_ = standardize_padding(options_.padding, rank == 1);
  data_format_ = standardize_data_format(options_.data_format);
  if (filters <= 0) {
    throw ValueError("Invalid value for argument `filters`. Expected a strictly positive value. Received filters=" +
                     std::to_string(filters) + ".");
  }
  if (options_.groups <= 0) {
    throw ValueError("The number of groups must be a positive integer. Received: groups=" +
                     std::to_string(options_.groups) + ".");
  }
  if (filters % options_.groups != 0) {
    throw ValueError("The number of filters must be evenly divisible by the number of groups. Received: groups=" +
                     std::to_string(options_.groups) + ", filters=" + std::to_string(filters) + ".");
  }
  conv_detail::check_conv_arguments(strides_, dilation_rate_);
  set_input_spec({.min_ndim = rank + 2});
}

void BaseConv::build(const Shape& input_shape) {
  const bool first = data_format_ == "channels_first";
  const int64_t channel_axis = first ? 1 : -1;
  const int64_t channels = input_shape[channel_axis];
  if (channels == None) {
    throw ValueError(class_name() + " \"" + name() + "\": the channel axis of the input must be defined, got " +
                     input_shape.str());
  }
  if (channels % options_.groups != 0) {
    throw ValueError("The number of input channels must be evenly divisible by the number of groups. Received "
                     "groups=" + std::to_string(options_.groups) + ", but the input has " + std::to_string(channels) +
                     " channels (full input shape is " + input_shape.str() + ").");
  }
  compute_output_shape(input_shape);  // validates the spatial sizes
  std::vector<int64_t> kernel_shape = kernel_size_;
  kernel_shape.push_back(channels / options_.groups);
  kernel_shape.push_back(filters_);
  add_weight(kernel_, {.shape = Shape(kernel_shape), .initializer = options_.kernel_initializer,
                       .regularizer = options_.kernel_regularizer, .constraint = options_.kernel_constraint});
  if (options_.use_bias) {
    add_weight(bias_, {.shape = {filters_}, .initializer = options_.bias_initializer,
                       .regularizer = options_.bias_regularizer, .constraint = options_.bias_constraint});
  }
  set_input_spec({.min_ndim = rank_ + 2, .axes = {{channel_axis, channels}}});
}

Tensor BaseConv::call(const Tensor& inputs, bool /*training*/) {
  // Bias and relu go into the oneDNN primitive; other activations follow it.
  const std::string& act = options_.activation.name();
  const bool fused = act == "relu" || act == "linear";
  Tensor y = ops::conv_bias_activation(inputs, kernel_, options_.use_bias ? bias_.value() : Tensor(),
                                       {.strides = strides_, .padding = padding_, .data_format = data_format_,
                                        .dilation_rate = dilation_rate_},
                                       fused ? act : "linear");
  if (!fused) y = options_.activation(y);
  // Keras divides an activity penalty by the batch size, so it does not grow with the batch.
  if (options_.activity_regularizer) add_loss(options_.activity_regularizer(y) / static_cast<double>(y.shape()[0]));
  return y;
}

Shape BaseConv::compute_output_shape(const Shape& input_shape) {
  return conv_detail::conv_output_shape(input_shape, filters_, kernel_size_, strides_, padding_,
                                        data_format_ == "channels_first", dilation_rate_);
}

Config BaseConv::get_config() const {
  Config c = Layer::get_config();
  c["filters"] = filters_;
  c["kernel_size"] = kernel_size_;
  c["strides"] = strides_;
  c["padding"] = padding_;
  c["data_format"] = data_format_;
  c["dilation_rate"] = dilation_rate_;
  c["groups"] = options_.groups;
  conv_detail::write_activation_and_weight_keys(c, options_);
  return c;
}

BaseConvOptions BaseConv::options_from_config(const Config& config, int64_t rank, int64_t* filters,
                                              std::vector<int64_t>* kernel_size) {
  if (!config.contains("filters") || !config["filters"].is_number_integer()) {
    throw ValueError("Conv" + std::to_string(rank) + "D config needs an integer 'filters', got " +
                     config.dump().substr(0, 200));
  }
  if (!config.contains("kernel_size")) {
    throw ValueError("Conv" + std::to_string(rank) + "D config needs a 'kernel_size'");
  }
  for (const char* key : {"lora_rank", "dora_rank"}) {
    if (config.contains(key) && !config[key].is_null()) {
      throw NotImplementedError(std::string("Conv layers: ") + key + " (LoRA/DoRA) is not supported");
    }
  }
  *filters = config["filters"].get<int64_t>();
  *kernel_size = conv_detail::tuple_from_config(config, "kernel_size", {});
  const LayerOptions base = base_options(config);
  BaseConvOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  o.strides = conv_detail::tuple_from_config(config, "strides", o.strides);
  if (config.contains("padding")) o.padding = config["padding"].get<std::string>();
  if (config.contains("data_format") && !config["data_format"].is_null()) {
    o.data_format = config["data_format"].get<std::string>();
  }
  o.dilation_rate = conv_detail::tuple_from_config(config, "dilation_rate", o.dilation_rate);
  if (config.contains("groups")) o.groups = config["groups"].get<int64_t>();
  conv_detail::read_activation_and_weight_keys(config, o);
  return o;
}

}  // namespace keras::layers
