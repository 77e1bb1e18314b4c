#pragma once
#include <keras/layers/layer.h>

namespace keras::layers {

/// keras.layers.Identity: returns its input unchanged; a placeholder where no operation is wanted.
class Identity final : public Layer {
 public:
  explicit Identity(LayerOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Identity>(*this); }
};

}  // namespace keras::layers
