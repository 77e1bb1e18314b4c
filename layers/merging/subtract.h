#pragma once
#include <keras/layers/merging/merge.h>

namespace keras::layers {

/// keras.layers.Subtract: inputs[0] - inputs[1], for exactly 2 inputs; `Subtract()({a, b})`.
class Subtract final : public Merge {
 public:
  explicit Subtract(LayerOptions options = {});
  using Merge::compute_output_shape;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Subtract>(*this); }

 protected:
  Tensor merge_function(const Tensors& inputs) override;
};

}  // namespace keras::layers
