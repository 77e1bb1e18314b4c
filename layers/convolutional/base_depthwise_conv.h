#pragma once
#include <keras/layers/activations.h>
#include <keras/layers/layer.h>

#include <string>
#include <vector>

namespace keras::layers {

/// Keyword arguments of DepthwiseConv1D and DepthwiseConv2D, in Keras's order with Keras's defaults.
struct BaseDepthwiseConvOptions {
  std::vector<int64_t> strides = {1};
  std::string padding = "valid";
  int64_t depth_multiplier = 1;
  std::string data_format = {};
  std::vector<int64_t> dilation_rate = {1};
  keras::Activation activation = "linear";
  bool use_bias = true;
  Initializer depthwise_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  Regularizer depthwise_regularizer = {};
  Regularizer bias_regularizer = {};
  Regularizer activity_regularizer = {};
  Constraint depthwise_constraint = {};
  Constraint bias_constraint = {};
  std::string name = {};
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// Keras's BaseDepthwiseConv: each input channel convolved with its own depth_multiplier filters;
/// weights "kernel" (*kernel_size, C, depth_multiplier) and "bias" (C * depth_multiplier,).
class BaseDepthwiseConv : public Layer {
 public:
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;

  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 protected:
  BaseDepthwiseConv(const std::string& class_name, int64_t rank, const std::vector<int64_t>& kernel_size,
                    BaseDepthwiseConvOptions options);
  /// Reads a DepthwiseConv*D config; `kernel_size` comes back through the pointer.
  static BaseDepthwiseConvOptions options_from_config(const Config& config, int64_t rank,
                                                      std::vector<int64_t>* kernel_size);

 private:
  int64_t channels(const Shape& input_shape) const;
  int64_t rank_;
  std::vector<int64_t> kernel_size_, strides_, dilation_rate_;
  std::string padding_, data_format_;
  BaseDepthwiseConvOptions options_;
  Variable kernel_ = declare_weight("kernel");
  Variable bias_ = declare_weight("bias");
};

}  // namespace keras::layers
