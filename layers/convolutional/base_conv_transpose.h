#pragma once
#include <keras/layers/activations.h>
#include <keras/layers/layer.h>

#include <optional>
#include <string>
#include <vector>

namespace keras::layers {

/// Keyword arguments of Conv1DTranspose, Conv2DTranspose and Conv3DTranspose, in Keras's order.
struct BaseConvTransposeOptions {
  std::vector<int64_t> strides = {1};
  std::string padding = "valid";
  std::optional<std::vector<int64_t>> output_padding = std::nullopt;  // None: inferred; each < its stride
  std::string data_format = {};
  std::vector<int64_t> dilation_rate = {1};
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

/// Keras's BaseConvTranspose: activation(conv_transpose(inputs, kernel) + bias), kernel
/// (*kernel_size, filters, C); the spatial axes grow by the strides.
class BaseConvTranspose : public Layer {
 public:
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;

  int64_t filters() const { return filters_; }
  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 protected:
  BaseConvTranspose(const std::string& class_name, int64_t rank, int64_t filters,
                    const std::vector<int64_t>& kernel_size, BaseConvTransposeOptions options);
  /// Reads a Conv*DTranspose config; `filters` and `kernel_size` come back through the pointers.
  static BaseConvTransposeOptions options_from_config(const Config& config, int64_t rank, int64_t* filters,
                                                      std::vector<int64_t>* kernel_size);

 private:
  int64_t rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_rate_;
  std::optional<std::vector<int64_t>> output_padding_;
  std::string padding_, data_format_;
  BaseConvTransposeOptions options_;
  Variable kernel_ = declare_weight("kernel");
  Variable bias_ = declare_weight("bias");
};

}  // namespace keras::layers
