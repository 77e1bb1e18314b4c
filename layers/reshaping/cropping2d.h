#pragma once
#include <keras/layers/layer.h>
#include <keras/layers/pairs_argument.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace keras::layers {

struct Cropping2DOptions {
  std::string data_format = {};  // "channels_last"/"channels_first"; empty: keras::config::image_data_format()
  std::string name = {};  // empty: "cropping2d", "cropping2d_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Cropping2D: trims cells off the start and end of each spatial axis; (batch, rows, cols, channels)
/// (or channels first) -> the same with each spatial axis shrunk by its two croppings.
class Cropping2D final : public Layer {
 public:
  explicit Cropping2D(const PairsArgument& cropping = {{0, 0}, {0, 0}}, Cropping2DOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Cropping2D>(*this); }

  /// One (before, after) pair per spatial axis.
  const std::vector<std::pair<int64_t, int64_t>>& cropping() const { return cropping_; }
  const std::string& data_format() const { return data_format_; }

 private:
  std::vector<std::pair<int64_t, int64_t>> cropping_;
  std::string data_format_;
};

}  // namespace keras::layers
