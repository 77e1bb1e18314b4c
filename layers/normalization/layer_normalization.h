#pragma once
#include <keras/layers/axis_argument.h>
#include <keras/layers/layer.h>

namespace keras::layers {

struct LayerNormalizationOptions {
  AxisArgument axis = -1;  // the axis or axes to normalize over (each sample on its own)
  double epsilon = 1e-3;
  bool center = true;        // add beta
  bool scale = true;         // multiply by gamma
  bool rms_scaling = false;  // divide by sqrt(variance + epsilon) only, times gamma; center and scale ignored
  Initializer beta_initializer = "zeros";
  Initializer gamma_initializer = "ones";
  Regularizer beta_regularizer = {};
  Regularizer gamma_regularizer = {};
  Constraint beta_constraint = {};
  Constraint gamma_constraint = {};
  std::string name = {};  // empty: "layer_normalization", "layer_normalization_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.LayerNormalization: each sample normalized by its own mean and variance over `axis`,
/// then * gamma + beta, which span the normalized axes. Output shape = input shape.
class LayerNormalization final : public Layer {
 public:
  explicit LayerNormalization(LayerNormalizationOptions options = {});
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<LayerNormalization>(*this); }

  const AxisArgument& axis() const { return options_.axis; }
  const Variable& gamma() const { return gamma_; }
  const Variable& beta() const { return beta_; }

 private:
  LayerNormalizationOptions options_;
  Variable gamma_ = declare_weight("gamma");  // without a value unless scale or rms_scaling
  Variable beta_ = declare_weight("beta");    // without a value unless center and not rms_scaling
};

}  // namespace keras::layers
