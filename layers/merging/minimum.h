#pragma once
#include <keras/layers/merging/merge.h>

namespace keras::layers {

/// keras.layers.Minimum: the elementwise minimum of a list of tensors; `Minimum()({a, b})`.
class Minimum final : public Merge {
 public:
  explicit Minimum(LayerOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Minimum>(*this); }

 protected:
  Tensor merge_function(const Tensors& inputs) override;
};

}  // namespace keras::layers
