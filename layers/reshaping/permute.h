#pragma once
#include <keras/layers/layer.h>

#include <vector>

namespace keras::layers {

/// keras.layers.Permute: reorders the non-batch axes by `dims`, a permutation of 1..rank-1 (1-based,
/// as Keras): Permute({2, 1}) maps (batch, 10, 64) to (batch, 64, 10).
class Permute final : public Layer {
 public:
  explicit Permute(std::vector<int64_t> dims, LayerOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Permute>(*this); }

  const std::vector<int64_t>& dims() const { return dims_; }

 private:
  std::vector<int64_t> dims_;
};

}  // namespace keras::layers
