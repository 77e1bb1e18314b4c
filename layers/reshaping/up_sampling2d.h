#pragma once
#include <keras/layers/layer.h>

#include <memory>
#include <string>
#include <vector>

namespace keras::layers {

struct UpSampling2DOptions {
  std::string data_format = {};         // "channels_last"/"channels_first"; empty: keras::config::image_data_format()
  std::string interpolation = "nearest";  // "nearest" or "bilinear" (TensorFlow's half-pixel centres, no antialiasing)
  std::string name = {};                // empty: "up_sampling2d", "up_sampling2d_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.UpSampling2D: scales rows and columns by `size`, repeating cells ("nearest") or
/// interpolating them ("bilinear"); (batch, rows, cols, channels) -> (batch, rows * size[0], cols * size[1], channels).
class UpSampling2D final : public Layer {
 public:
  explicit UpSampling2D(const std::vector<int64_t>& size = {2, 2}, UpSampling2DOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<UpSampling2D>(*this); }

  const std::vector<int64_t>& size() const { return size_; }
  const std::string& data_format() const { return data_format_; }
  const std::string& interpolation() const { return interpolation_; }

 private:
  std::vector<int64_t> size_;
  std::string data_format_;
  std::string interpolation_;
};

}  // namespace keras::layers
