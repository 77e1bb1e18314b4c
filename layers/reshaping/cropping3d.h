#pragma once
#include <keras/layers/layer.h>
#include <keras/layers/pairs_argument.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace keras::layers {

struct Cropping3DOptions {
  std::string data_format = {};  // "channels_last"/"channels_first"; empty: keras::config::image_data_format()
  std::string name = {};  // empty: "cropping3d", "cropping3d_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Cropping3D: trims cells off the start and end of each spatial axis; (batch, dim1, dim2, dim3, channels)
/// (or channels first) -> the same with each spatial axis shrunk by its two croppings.
class Cropping3D final : public Layer {
 public:
  explicit Cropping3D(const PairsArgument& cropping = {{1, 1}, {1, 1}, {1, 1}}, Cropping3DOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Cropping3D>(*this); }

  /// One (before, after) pair per spatial axis.
  const std::vector<std::pair<int64_t, int64_t>>& cropping() const { return cropping_; }
  const std::string& data_format() const { return data_format_; }

 private:
  std::vector<std::pair<int64_t, int64_t>> cropping_;
  std::string data_format_;
};

}  // namespace keras::layers
