#pragma once
#include <keras/layers/activations.h>
#include <keras/layers/layer.h>

#include <string>
#include <vector>

namespace keras::layers {

/// Keyword arguments of Conv1D, Conv2D and Conv3D, in Keras's order with Keras's defaults. Int-or-tuple
/// arguments are lists: {2} repeats over every spatial axis.
struct BaseConvOptions {
  std::vector<int64_t> strides = {1};
  std::string padding = "valid";  // "valid", "same", or for Conv1D "causal"
  std::string data_format = {};   // empty: keras::config::image_data_format()
  std::vector<int64_t> dilation_rate = {1};
  int64_t groups = 1;
  keras::Activation activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  Regularizer kernel_regularizer = {};
  Regularizer bias_regularizer = {};
  Regularizer activity_regularizer = {};
  Constraint kernel_constraint = {};
  Constraint bias_constraint = {};
  std::string name = {};
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// Keras's BaseConv: activation(conv(inputs, kernel) + bias) with kernel (*kernel_size, C / groups,
/// filters); (batch, *spatial, C) -> (batch, *out_spatial, filters) in channels_last. Bias and a relu
/// activation run fused in the convolution kernel.
class BaseConv : public Layer {
 public:
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;

  int64_t filters() const { return filters_; }
  const std::vector<int64_t>& kernel_size() const { return kernel_size_; }
  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 protected:
  BaseConv(const std::string& class_name, int64_t rank, int64_t filters, const std::vector<int64_t>& kernel_size,
           BaseConvOptions options);
  /// Reads the options a Conv*D config holds; `filters` and `kernel_size` come back through the pointers.
  static BaseConvOptions options_from_config(const Config& config, int64_t rank, int64_t* filters,
                                             std::vector<int64_t>* kernel_size);

 private:
  int64_t rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_rate_;
  std::string padding_, data_format_;
  BaseConvOptions options_;
  Variable kernel_ = declare_weight("kernel");
  Variable bias_ = declare_weight("bias");  // stays without a value when use_bias is false
};

namespace conv_detail {
/// An int-or-tuple config value (3 or [3, 3]) as a list; `fallback` when the key is absent.
std::vector<int64_t> tuple_from_config(const Config& config, const std::string& key, std::vector<int64_t> fallback);
/// Keras's compute_conv_output_shape: None spatial axes stay None; ValueError when an axis would be empty.
Shape conv_output_shape(const Shape& input_shape, int64_t filters, const std::vector<int64_t>& kernel_size,
                        const std::vector<int64_t>& strides, const std::string& padding, bool channels_first,
                        const std::vector<int64_t>& dilation_rate);
/// Keras's rule for every conv layer: strides > 1 and dilation_rate > 1 do not go together (the
/// normalised tuples' zeros were rejected already).
void check_conv_arguments(const std::vector<int64_t>& strides, const std::vector<int64_t>& dilation_rate);
/// (rank + 2)-D bias shape broadcasting over a channels_first or channels_last activation.
Tensor bias_for(const Tensor& bias, int64_t rank, bool channels_first);
}  // namespace conv_detail

}  // namespace keras::layers
