#pragma once
#include <keras/layers/layer.h>

#include <memory>
#include <string>
#include <vector>

namespace keras::layers {

struct UpSampling3DOptions {
  std::string data_format = {};  // "channels_last"/"channels_first"; empty: keras::config::image_data_format()
  std::string name = {};         // empty: "up_sampling3d", "up_sampling3d_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.UpSampling3D: repeats each cell size[i] times along spatial axis i;
/// (batch, d1, d2, d3, channels) -> (batch, d1 * size[0], d2 * size[1], d3 * size[2], channels).
class UpSampling3D final : public Layer {
 public:
  explicit UpSampling3D(const std::vector<int64_t>& size = {2, 2, 2}, UpSampling3DOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<UpSampling3D>(*this); }

  const std::vector<int64_t>& size() const { return size_; }
  const std::string& data_format() const { return data_format_; }

 private:
  std::vector<int64_t> size_;
  std::string data_format_;
};

}  // namespace keras::layers
