#pragma once
#include <keras/layers/layer.h>

namespace keras::layers {

/// keras.layers.RepeatVector: (batch, features) -> (batch, n, features), the input repeated n times.
class RepeatVector final : public Layer {
 public:
  explicit RepeatVector(int64_t n, LayerOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<RepeatVector>(*this); }

  int64_t n() const { return n_; }

 private:
  int64_t n_;
};

}  // namespace keras::layers
