#pragma once
#include <keras/layers/layer.h>

namespace keras::layers {

struct BatchNormalizationOptions {
  int64_t axis = -1;  // the features axis (1 after a channels_first convolution)
  double momentum = 0.99;
  double epsilon = 1e-3;
  bool center = true;  // add beta
  bool scale = true;   // multiply by gamma
  Initializer beta_initializer = "zeros";
  Initializer gamma_initializer = "ones";
  Initializer moving_mean_initializer = "zeros";
  Initializer moving_variance_initializer = "ones";
  Regularizer beta_regularizer = {};
  Regularizer gamma_regularizer = {};
  Constraint beta_constraint = {};
  Constraint gamma_constraint = {};
  bool synchronized = false;  // true (cross-device statistics) throws NotImplementedError
  std::string name = {};      // empty: "batch_normalization", "batch_normalization_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.BatchNormalization: per feature of `axis`, (x - mean) / sqrt(var + epsilon) * gamma + beta.
/// Training (and trainable) uses the batch's statistics and moves moving_mean/moving_variance toward them
/// by (1 - momentum); inference, or a frozen layer (trainable = false), uses the moving statistics.
/// Weights: gamma, beta (trainable), moving_mean, moving_variance (not). Output shape = input shape.
class BatchNormalization final : public Layer {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options = {});
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<BatchNormalization>(*this); }

  const Variable& gamma() const { return gamma_; }
  const Variable& beta() const { return beta_; }
  const Variable& moving_mean() const { return moving_mean_; }
  const Variable& moving_variance() const { return moving_variance_; }

 private:
  BatchNormalizationOptions options_;
  Variable gamma_ = declare_weight("gamma");  // without a value when scale is false
  Variable beta_ = declare_weight("beta");    // without a value when center is false
  Variable moving_mean_ = declare_weight("moving_mean");
  Variable moving_variance_ = declare_weight("moving_variance");
};

}  // namespace keras::layers
