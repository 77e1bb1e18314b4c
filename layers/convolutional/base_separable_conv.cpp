#include <keras/layers/convolutional/base_separable_conv.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/convolutional/base_conv.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

BaseSeparableConv::BaseSeparableConv(const std::string& class_name, int64_t rank, int64_t filters,
                                     const std::vector<int64_t>& kernel_size, BaseSeparableConvOptions options)
    : Layer(class_name, {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      rank_(rank),
      filters_(filters),
      options_(std::move(options)) {
  using namespace ops::conv_utils;
  const size_t n = static_cast<size_t>(rank);
  kernel_size_ = normalize_tuple(kernel_size, n, "kernel_size");
  strides_ = normalize_tuple(options_.strides, n, "strides");
  dilation_rate_ = normalize_tuple(options_.dilation_rate, n, "dilation_rate");
  padding_ = standardize_padding(options_.padding);
  data_format_ = standardize_data_format(options_.data_format);
  if (options_.depth_multiplier <= 0) {
    throw ValueError("Invalid value for argument `depth_multiplier`. Expected a strictly positive value. Received "
                     "depth_multiplier=" + std::to_string(options_.depth_multiplier) + ".");
  }
  if (filters <= 0) {
    throw ValueError("Invalid value for argument `filters`. Expected a strictly positive value. Received filters=" +
                     std::to_string(filters) + ".");
  }
  conv_detail::check_conv_arguments(strides_, dilation_rate_);
  set_input_spec({.min_ndim = rank + 2});
}

void BaseSeparableConv::build(const Shape& input_shape) {
  const int64_t channel_axis = data_format_ == "channels_first" ? 1 : -1;
  const int64_t c = input_shape[channel_axis];
  if (c == None) {
    throw ValueError(class_name() + " \"" + name() + "\": the channel axis of the input must be defined, got " +
                     input_shape.str());
  }
  compute_output_shape(input_shape);
  std::vector<int64_t> depthwise_shape = kernel_size_;
  depthwise_shape.push_back(c);
  depthwise_shape.push_back(options_.depth_multiplier);
  std::vector<int64_t> pointwise_shape(kernel_size_.size(), 1);
  pointwise_shape.push_back(c * options_.depth_multiplier);
  pointwise_shape.push_back(filters_);
  add_weight(depthwise_kernel_, {.shape = Shape(depthwise_shape), .initializer = options_.depthwise_initializer,
                                 .regularizer = options_.depthwise_regularizer,
                                 .constraint = options_.depthwise_constraint});
  add_weight(pointwise_kernel_, {.shape = Shape(pointwise_shape), .initializer = options_.pointwise_initializer,
                                 .regularizer = options_.pointwise_regularizer,
                                 .constraint = options_.pointwise_constraint});
  if (options_.use_bias) {
    add_weight(bias_, {.shape = {filters_}, .initializer = options_.bias_initializer,
                       .regularizer = options_.bias_regularizer, .constraint = options_.bias_constraint});
  }
  set_input_spec({.min_ndim = rank_ + 2, .axes = {{channel_axis, c}}});
}

Tensor BaseSeparableConv::call(const Tensor& inputs, bool /*training*/) {
  const ops::ConvOptions o{.strides = strides_, .padding = padding_, .data_format = data_format_,
                           .dilation_rate = dilation_rate_};
  const Tensor depthwise = ops::depthwise_conv(inputs, depthwise_kernel_, o);
  // The pointwise step carries the bias and, when it is relu, the activation in its primitive.
  const std::string& act = options_.activation.name();
  const bool fused = act == "relu" || act == "linear";
  Tensor y = ops::conv_bias_activation(depthwise, pointwise_kernel_, options_.use_bias ? bias_.value() : Tensor(),
                                       {.data_format = data_format_}, fused ? act : "linear");
  if (!fused) y = options_.activation(y);
  if (options_.activity_regularizer) add_loss(options_.activity_regularizer(y) / static_cast<double>(y.shape()[0]));
  return y;
}

Shape BaseSeparableConv::compute_output_shape(const Shape& input_shape) {
  return conv_detail::conv_output_shape(input_shape, filters_, kernel_size_, strides_, padding_,
                                        data_format_ == "channels_first", dilation_rate_);
}

Config BaseSeparableConv::get_config() const {
  Config c = Layer::get_config();
  c["depth_multiplier"] = options_.depth_multiplier;
  c["filters"] = filters_;
  c["kernel_size"] = kernel_size_;
  c["strides"] = strides_;
  c["padding"] = padding_;
  c["data_format"] = data_format_;
  c["dilation_rate"] = dilation_rate_;
  c["activation"] = options_.activation.to_config();
  c["use_bias"] = options_.use_bias;
  c["depthwise_initializer"] = options_.depthwise_initializer.to_config();
  c["pointwise_initializer"] = options_.pointwise_initializer.to_config();
  c["bias_initializer"] = options_.bias_initializer.to_config();
  c["depthwise_regularizer"] = options_.depthwise_regularizer.to_config();
  c["pointwise_regularizer"] = options_.pointwise_regularizer.to_config();
  c["bias_regularizer"] = options_.bias_regularizer.to_config();
  c["activity_regularizer"] = options_.activity_regularizer.to_config();
  c["depthwise_constraint"] = options_.depthwise_constraint.to_config();
  c["pointwise_constraint"] = options_.pointwise_constraint.to_config();
  c["bias_constraint"] = options_.bias_constraint.to_config();
  return c;
}

BaseSeparableConvOptions BaseSeparableConv::options_from_config(const Config& config, int64_t rank, int64_t* filters,
                                                                std::vector<int64_t>* kernel_size) {
  const std::string who = "SeparableConv" + std::to_string(rank) + "D";
  if (!config.contains("filters") || !config["filters"].is_number_integer()) {
    throw ValueError(who + " config needs an integer 'filters', got " + config.dump().substr(0, 200));
  }
  if (!config.contains("kernel_size")) throw ValueError(who + " config needs a 'kernel_size'");
  *filters = config["filters"].get<int64_t>();
  *kernel_size = conv_detail::tuple_from_config(config, "kernel_size", {});
  const LayerOptions base = base_options(config);
  BaseSeparableConvOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  o.strides = conv_detail::tuple_from_config(config, "strides", o.strides);
  if (config.contains("padding")) o.padding = config["padding"].get<std::string>();
  if (config.contains("data_format") && !config["data_format"].is_null()) {
    o.data_format = config["data_format"].get<std::string>();
  }
  o.dilation_rate = conv_detail::tuple_from_config(config, "dilation_rate", o.dilation_rate);
  if (config.contains("depth_multiplier")) o.depth_multiplier = config["depth_multiplier"].get<int64_t>();
  if (config.contains("activation")) o.activation = keras::Activation::from_config(config["activation"]);
  if (config.contains("use_bias")) o.use_bias = config["use_bias"].get<bool>();
  auto init = [&](const char* key, Initializer& slot) {
    if (config.contains(key)) slot = Initializer::from_config(config[key]);
  };
  auto reg = [&](const char* key, Regularizer& slot) {
    if (config.contains(key)) slot = Regularizer::from_config(config[key]);
  };
  auto con = [&](const char* key, Constraint& slot) {
    if (config.contains(key)) slot = Constraint::from_config(config[key]);
  };
  init("depthwise_initializer", o.depthwise_initializer);
  init("pointwise_initializer", o.pointwise_initializer);
  init("bias_initializer", o.bias_initializer);
  reg("depthwise_regularizer", o.depthwise_regularizer);
  reg("pointwise_regularizer", o.pointwise_regularizer);
  reg("bias_regularizer", o.bias_regularizer);
  reg("activity_regularizer", o.activity_regularizer);
  con("depthwise_constraint", o.depthwise_constraint);
  con("pointwise_constraint", o.pointwise_constraint);
  con("bias_constraint", o.bias_constraint);
  return o;
}

}  // namespace keras::layers
