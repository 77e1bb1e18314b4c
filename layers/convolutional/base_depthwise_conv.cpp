#include <keras/layers/convolutional/base_depthwise_conv.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/convolutional/base_conv.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

BaseDepthwiseConv::BaseDepthwiseConv(const std::string& class_name, int64_t rank,
                                     const std::vector<int64_t>& kernel_size, BaseDepthwiseConvOptions options)
    : Layer(class_name, {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      rank_(rank),
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
  conv_detail::check_conv_arguments(strides_, dilation_rate_);
  set_input_spec({.min_ndim = rank + 2});
}

int64_t BaseDepthwiseConv::channels(const Shape& input_shape) const {
  return input_shape[data_format_ == "channels_first" ? 1 : -1];
}

void BaseDepthwiseConv::build(const Shape& input_shape) {
  const int64_t c = channels(input_shape);
  if (c == None) {
    throw ValueError(class_name() + " \"" + name() + "\": the channel axis of the input must be defined, got " +
                     input_shape.str());
  }
  compute_output_shape(input_shape);
  std::vector<int64_t> kernel_shape = kernel_size_;
  kernel_shape.push_back(c);
  kernel_shape.push_back(options_.depth_multiplier);
  add_weight(kernel_, {.shape = Shape(kernel_shape), .initializer = options_.depthwise_initializer,
                       .regularizer = options_.depthwise_regularizer, .constraint = options_.depthwise_constraint});
  if (options_.use_bias) {
    add_weight(bias_, {.shape = {c * options_.depth_multiplier}, .initializer = options_.bias_initializer,
                       .regularizer = options_.bias_regularizer, .constraint = options_.bias_constraint});
  }
  set_input_spec({.min_ndim = rank_ + 2, .axes = {{data_format_ == "channels_first" ? 1 : -1, c}}});
}

Tensor BaseDepthwiseConv::call(const Tensor& inputs, bool /*training*/) {
  // The depthwise kernel (*k, C, M) is a grouped conv kernel (*k, 1, C * M): one fused primitive
  // does the convolution, the bias and a relu.
  const Tensor kernel = kernel_;
  std::vector<int64_t> dims(kernel.shape().dims().begin(), kernel.shape().dims().end() - 2);
  dims.push_back(1);
  dims.push_back(kernel.shape()[-2] * kernel.shape()[-1]);
  const std::string& act = options_.activation.name();
  const bool fused = act == "relu" || act == "linear";
  Tensor y = ops::conv_bias_activation(inputs, ops::reshape(kernel, Shape(dims)),
                                       options_.use_bias ? bias_.value() : Tensor(),
                                       {.strides = strides_, .padding = padding_, .data_format = data_format_,
                                        .dilation_rate = dilation_rate_},
                                       fused ? act : "linear");
  if (!fused) y = options_.activation(y);
  if (options_.activity_regularizer) add_loss(options_.activity_regularizer(y) / static_cast<double>(y.shape()[0]));
  return y;
}

Shape BaseDepthwiseConv::compute_output_shape(const Shape& input_shape) {
  const int64_t c = channels(input_shape);
  return conv_detail::conv_output_shape(input_shape, c == None ? None : c * options_.depth_multiplier, kernel_size_,
                                        strides_, padding_, data_format_ == "channels_first", dilation_rate_);
}

Config BaseDepthwiseConv::get_config() const {
  Config c = Layer::get_config();
  c["depth_multiplier"] = options_.depth_multiplier;
  c["kernel_size"] = kernel_size_;
  c["strides"] = strides_;
  c["padding"] = padding_;
  c["data_format"] = data_format_;
  c["dilation_rate"] = dilation_rate_;
  c["activation"] = options_.activation.to_config();
  c["use_bias"] = options_.use_bias;
  c["depthwise_initializer"] = options_.depthwise_initializer.to_config();
  c["bias_initializer"] = options_.bias_initializer.to_config();
  c["depthwise_regularizer"] = options_.depthwise_regularizer.to_config();
  c["bias_regularizer"] = options_.bias_regularizer.to_config();
  c["activity_regularizer"] = options_.activity_regularizer.to_config();
  c["depthwise_constraint"] = options_.depthwise_constraint.to_config();
  c["bias_constraint"] = options_.bias_constraint.to_config();
  return c;
}

BaseDepthwiseConvOptions BaseDepthwiseConv::options_from_config(const Config& config, int64_t rank,
                                                                std::vector<int64_t>* kernel_size) {
  if (!config.contains("kernel_size")) {
    throw ValueError("DepthwiseConv" + std::to_string(rank) + "D config needs a 'kernel_size'");
  }
  *kernel_size = conv_detail::tuple_from_config(config, "kernel_size", {});
  const LayerOptions base = base_options(config);
  BaseDepthwiseConvOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  o.strides = conv_detail::tuple_from_config(config, "strides", o.strides);
  if (config.contains("padding")) o.padding = config["padding"].get<std::string>();
  if (config.contains("depth_multiplier")) o.depth_multiplier = config["depth_multiplier"].get<int64_t>();
  if (config.contains("data_format") && !config["data_format"].is_null()) {
    o.data_format = config["data_format"].get<std::string>();
  }
  o.dilation_rate = conv_detail::tuple_from_config(config, "dilation_rate", o.dilation_rate);
  if (config.contains("activation")) o.activation = keras::Activation::from_config(config["activation"]);
  if (config.contains("use_bias")) o.use_bias = config["use_bias"].get<bool>();
  if (config.contains("depthwise_initializer")) o.depthwise_initializer = Initializer::from_config(config["depthwise_initializer"]);
  if (config.contains("bias_initializer")) o.bias_initializer = Initializer::from_config(config["bias_initializer"]);
  if (config.contains("depthwise_regularizer")) o.depthwise_regularizer = Regularizer::from_config(config["depthwise_regularizer"]);
  if (config.contains("bias_regularizer")) o.bias_regularizer = Regularizer::from_config(config["bias_regularizer"]);
  if (config.contains("activity_regularizer")) o.activity_regularizer = Regularizer::from_config(config["activity_regularizer"]);
  if (config.contains("depthwise_constraint")) o.depthwise_constraint = Constraint::from_config(config["depthwise_constraint"]);
  if (config.contains("bias_constraint")) o.bias_constraint = Constraint::from_config(config["bias_constraint"]);
  return o;
}

}  // namespace keras::layers
