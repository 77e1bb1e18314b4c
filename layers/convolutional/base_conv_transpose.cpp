#include <keras/layers/convolutional/base_conv_transpose.h>

#include <keras/core/ops.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/layers/convolutional/base_conv.h>
#include <keras/layers/convolutional/conv_config.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

BaseConvTranspose::BaseConvTranspose(const std::string& class_name, int64_t rank, int64_t filters,
                                     const std::vector<int64_t>& kernel_size, BaseConvTransposeOptions options)
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
  if (options_.output_padding) output_padding_ = normalize_tuple(*options_.output_padding, n, "output_padding", true);
  if (filters <= 0) {
    throw ValueError("Invalid value for argument `filters`. Expected a strictly positive value. Received filters=" +
                     std::to_string(filters) + ".");
  }
  if (output_padding_) {
    for (size_t i = 0; i < n; ++i) {
      if ((*output_padding_)[i] >= strides_[i]) {
        throw ValueError("`output_padding` must be < `strides`. output_padding=" + Shape(*output_padding_).str() +
                         ", strides=" + Shape(strides_).str());
      }
    }
  }
  conv_detail::check_conv_arguments(strides_, dilation_rate_);
  set_input_spec({.min_ndim = rank + 2});
}

void BaseConvTranspose::build(const Shape& input_shape) {
  const int64_t channel_axis = data_format_ == "channels_first" ? 1 : -1;
  const int64_t channels = input_shape[channel_axis];
  if (channels == None) {
    throw ValueError(class_name() + " \"" + name() + "\": the channel axis of the input must be defined, got " +
                     input_shape.str());
  }
  std::vector<int64_t> kernel_shape = kernel_size_;
  kernel_shape.push_back(filters_);
  kernel_shape.push_back(channels);
  add_weight(kernel_, {.shape = Shape(kernel_shape), .initializer = options_.kernel_initializer,
                       .regularizer = options_.kernel_regularizer, .constraint = options_.kernel_constraint});
  if (options_.use_bias) {
    add_weight(bias_, {.shape = {filters_}, .initializer = options_.bias_initializer,
                       .regularizer = options_.bias_regularizer, .constraint = options_.bias_constraint});
  }
  set_input_spec({.min_ndim = rank_ + 2, .axes = {{channel_axis, channels}}});
}

Tensor BaseConvTranspose::call(const Tensor& inputs, bool /*training*/) {
  Tensor y = ops::conv_transpose(inputs, kernel_,
                                 {.strides = strides_, .padding = padding_, .output_padding = output_padding_,
                                  .data_format = data_format_, .dilation_rate = dilation_rate_});
  if (options_.use_bias) y = y + conv_detail::bias_for(bias_, rank_, data_format_ == "channels_first");
  y = options_.activation(y);
  if (options_.activity_regularizer) add_loss(options_.activity_regularizer(y) / static_cast<double>(y.shape()[0]));
  return y;
}

Shape BaseConvTranspose::compute_output_shape(const Shape& input_shape) {
  const bool first = data_format_ == "channels_first";
  std::vector<int64_t> dims{input_shape[0]};
  if (first) dims.push_back(filters_);
  for (size_t i = 0; i < kernel_size_.size(); ++i) {
    const int64_t in = input_shape[static_cast<int64_t>(first ? i + 2 : i + 1)];
    dims.push_back(in == None ? None
                              : ops::conv_utils::transpose_output_length(
                                    in, kernel_size_[i], padding_, strides_[i], dilation_rate_[i],
                                    output_padding_ ? (*output_padding_)[i] : -1));
  }
  if (!first) dims.push_back(filters_);
  return Shape(dims);
}

// NOTE: Keras's get_config leaves output_padding out (so it is lost on reload); it is kept here,
// after padding, and Keras's constructor accepts it when a file written here is loaded there.
Config BaseConvTranspose::get_config() const {
  Config c = Layer::get_config();
  c["filters"] = filters_;
  c["kernel_size"] = kernel_size_;
  c["strides"] = strides_;
  c["padding"] = padding_;
  c["output_padding"] = output_padding_ ? Config(*output_padding_) : Config(nullptr);
  c["data_format"] = data_format_;
  c["dilation_rate"] = dilation_rate_;
  conv_detail::write_activation_and_weight_keys(c, options_);
  return c;
}

BaseConvTransposeOptions BaseConvTranspose::options_from_config(const Config& config, int64_t rank, int64_t* filters,
                                                                std::vector<int64_t>* kernel_size) {
  const std::string who = "Conv" + std::to_string(rank) + "DTranspose";
  if (!config.contains("filters") || !config["filters"].is_number_integer()) {
    throw ValueError(who + " config needs an integer 'filters', got " + config.dump().substr(0, 200));
  }
  if (!config.contains("kernel_size")) throw ValueError(who + " config needs a 'kernel_size'");
  *filters = config["filters"].get<int64_t>();
  *kernel_size = conv_detail::tuple_from_config(config, "kernel_size", {});
  const LayerOptions base = base_options(config);
  BaseConvTransposeOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  o.strides = conv_detail::tuple_from_config(config, "strides", o.strides);
  if (config.contains("padding")) o.padding = config["padding"].get<std::string>();
  if (config.contains("output_padding") && !config["output_padding"].is_null()) {
    o.output_padding = conv_detail::tuple_from_config(config, "output_padding", {});
  }
  if (config.contains("data_format") && !config["data_format"].is_null()) {
    o.data_format = config["data_format"].get<std::string>();
  }
  o.dilation_rate = conv_detail::tuple_from_config(config, "dilation_rate", o.dilation_rate);
  conv_detail::read_activation_and_weight_keys(config, o);
  return o;
}

}  // namespace keras::layers
