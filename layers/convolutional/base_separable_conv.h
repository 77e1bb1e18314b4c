#pragma once
#include <keras/layers/activations.h>
#include <keras/layers/layer.h>

#include <string>
#include <vector>

namespace keras::layers {

/// Keyword arguments of SeparableConv1D and SeparableConv2D, in Keras's order with Keras's defaults.
struct BaseSeparableConvOptions {
  std::vector<int64_t> strides = {1};
  std::string padding = "valid";
  std::string data_format = {};
  std::vector<int64_t> dilation_rate = {1};
  int64_t depth_multiplier = 1;
  keras::Activation activation = "linear";
  bool use_bias = true;
  Initializer depthwise_initializer = "glorot_uniform";
  Initializer pointwise_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  Regularizer depthwise_regularizer = {};
  Regularizer pointwise_regularizer = {};
  Regularizer bias_regularizer = {};
  Regularizer activity_regularizer = {};
  Constraint depthwise_constraint = {};
  Constraint pointwise_constraint = {};
  Constraint bias_constraint = {};
  std::string name = {};
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// Keras's BaseSeparableConv: a depthwise convolution then a 1x1 convolution to `filters`; weights
/// depthwise_kernel (*kernel_size, C, depth_multiplier), pointwise_kernel (1, ..., C * depth_multiplier,
/// filters) and bias (filters,).
class BaseSeparableConv : public Layer {
 public:
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;

  int64_t filters() const { return filters_; }
  const Variable& depthwise_kernel() const { return depthwise_kernel_; }
  const Variable& pointwise_kernel() const { return pointwise_kernel_; }
  const Variable& bias() const { return bias_; }

 protected:
  BaseSeparableConv(const std::string& class_name, int64_t rank, int64_t filters,
                    const std::vector<int64_t>& kernel_size, BaseSeparableConvOptions options);
  /// Reads a SeparableConv*D config; `filters` and `kernel_size` come back through the pointers.
  static BaseSeparableConvOptions options_from_config(const Config& config, int64_t rank, int64_t* filters,
                                                      std::vector<int64_t>* kernel_size);

 private:
  int64_t rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_rate_;
  std::string padding_, data_format_;
  BaseSeparableConvOptions options_;
  Variable depthwise_kernel_ = declare_weight("depthwise_kernel");
  Variable pointwise_kernel_ = declare_weight("pointwise_kernel");
  Variable bias_ = declare_weight("bias");
};

}  // namespace keras::layers
