#pragma once
#include <keras/layers/activations.h>
#include <keras/layers/layer.h>

namespace keras::layers {

struct DenseOptions {
  keras::Activation activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  Regularizer kernel_regularizer = {};
  Regularizer bias_regularizer = {};
  Regularizer activity_regularizer = {};
  Constraint kernel_constraint = {};
  Constraint bias_constraint = {};
  std::string name = {};  // empty: "dense", "dense_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Dense: activation(inputs @ kernel + bias); (batch, ..., d) -> (batch, ..., units).
class Dense final : public Layer {
 public:
  explicit Dense(int64_t units, DenseOptions options = {});
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Dense>(*this); }

  int64_t units() const { return units_; }
  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 private:
  int64_t units_;
  DenseOptions options_;
  Variable kernel_ = declare_weight("kernel");
  Variable bias_ = declare_weight("bias");  // stays without a value when use_bias is false
};

}  // namespace keras::layers
