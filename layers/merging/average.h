#pragma once
#include <keras/layers/merging/merge.h>

namespace keras::layers {

/// keras.layers.Average: the elementwise mean of a list of tensors; `Average()({a, b})`.
class Average final : public Merge {
 public:
  explicit Average(LayerOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Average>(*this); }

 protected:
  Tensor merge_function(const Tensors& inputs) override;
};

}  // namespace keras::layers
