#pragma once
#include <keras/layers/layer.h>

#include <vector>

namespace keras::layers {

/// keras.layers.Reshape: (batch, ...) -> (batch, *target_shape). target_shape excludes the batch axis
/// and may hold one -1, inferred from the input's size.
class Reshape final : public Layer {
 public:
  explicit Reshape(std::vector<int64_t> target_shape, LayerOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Reshape>(*this); }

  const std::vector<int64_t>& target_shape() const { return target_shape_; }

 private:
  std::vector<int64_t> target_shape_;  // a vector, not a Shape: -1 here means "infer", not None
};

}  // namespace keras::layers
