#pragma once
#include <keras/layers/merging/merge.h>

namespace keras::layers {

/// keras.layers.Maximum: the elementwise maximum of a list of tensors; `Maximum()({a, b})`.
class Maximum final : public Merge {
 public:
  explicit Maximum(LayerOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Maximum>(*this); }

 protected:
  Tensor merge_function(const Tensors& inputs) override;
};

}  // namespace keras::layers
