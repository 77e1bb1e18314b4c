#pragma once
#include <keras/layers/layer.h>
#include <keras/layers/pairs_argument.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace keras::layers {

struct ZeroPadding3DOptions {
  std::string data_format = {};  // "channels_last"/"channels_first"; empty: keras::config::image_data_format()
  std::string name = {};  // empty: "zero_padding3d", "zero_padding3d_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.ZeroPadding3D: adds rows of zeros before and after each spatial axis; (batch, dim1, dim2, dim3, channels)
/// (or channels first) -> the same with each spatial axis grown by its two paddings.
class ZeroPadding3D final : public Layer {
 public:
  explicit ZeroPadding3D(const PairsArgument& padding = {{1, 1}, {1, 1}, {1, 1}}, ZeroPadding3DOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<ZeroPadding3D>(*this); }

  /// One (before, after) pair per spatial axis.
  const std::vector<std::pair<int64_t, int64_t>>& padding() const { return padding_; }
  const std::string& data_format() const { return data_format_; }

 private:
  std::vector<std::pair<int64_t, int64_t>> padding_;
  std::string data_format_;
};

}  // namespace keras::layers
