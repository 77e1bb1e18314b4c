#pragma once
#include <keras/layers/axis_argument.h>
#include <keras/layers/layer.h>

namespace keras::layers {

struct UnitNormalizationOptions {
  AxisArgument axis = -1;  // one axis or a list: the axes whose L2 norm becomes 1
  std::string name = {};   // empty: "unit_normalization", "unit_normalization_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.UnitNormalization: x / sqrt(max(sum(x^2, axis), 1e-12)), so each sample has unit
/// L2 norm across `axis`; any shape, output shape = input shape.
class UnitNormalization final : public Layer {
 public:
  explicit UnitNormalization(UnitNormalizationOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<UnitNormalization>(*this); }

  const AxisArgument& axis() const { return options_.axis; }

 private:
  UnitNormalizationOptions options_;
};

}  // namespace keras::layers
