#pragma once
#include <keras/layers/merging/merge.h>

namespace keras::layers {

/// keras.layers.Multiply: the elementwise product of a list of tensors; `Multiply()({a, b})`.
class Multiply final : public Merge {
 public:
  explicit Multiply(LayerOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Multiply>(*this); }

 protected:
  Tensor merge_function(const Tensors& inputs) override;
};

}  // namespace keras::layers
