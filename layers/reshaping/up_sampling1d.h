#pragma once
#include <keras/layers/layer.h>

#include <memory>
#include <string>

namespace keras::layers {

struct UpSampling1DOptions {
  std::string name = {};  // empty: "up_sampling1d", "up_sampling1d_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.UpSampling1D: repeats each step `size` times; (batch, steps, features) ->
/// (batch, steps * size, features).
class UpSampling1D final : public Layer {
 public:
  explicit UpSampling1D(int64_t size = 2, UpSampling1DOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<UpSampling1D>(*this); }

  int64_t size() const { return size_; }

 private:
  int64_t size_;
};

}  // namespace keras::layers
