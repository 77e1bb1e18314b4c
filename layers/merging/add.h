#pragma once
#include <keras/layers/merging/merge.h>

namespace keras::layers {

/// keras.layers.Add: the elementwise sum of a list of tensors; `Add()({a, b})`.
class Add final : public Merge {
 public:
  explicit Add(LayerOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Add>(*this); }

 protected:
  Tensor merge_function(const Tensors& inputs) override;
};

}  // namespace keras::layers
