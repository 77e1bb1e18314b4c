#pragma once
#include <keras/layers/layer.h>

#include <memory>
#include <string>

namespace keras::layers {

/// The keyword arguments of GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D.
struct BaseGlobalPoolingOptions {
  std::string data_format = {};  // "channels_last"/"channels_first"; empty: keras::config::image_data_format()
  bool keepdims = false;         // keep the spatial axes with size 1
  std::string name = {};         // empty: "global_max_pooling2d", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// Keras's BaseGlobalPooling: the max or mean over every spatial axis, (batch, spatial..., channels)
/// -> (batch, channels), or (batch, 1..., channels) with keepdims. No weights.
class BaseGlobalPooling : public Layer {
 public:
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;

  const std::string& data_format() const { return data_format_; }
  bool keepdims() const { return keepdims_; }

 protected:
  /// pool_mode is "max" or "average".
  BaseGlobalPooling(std::string class_name, size_t pool_dimensions, std::string pool_mode,
                    const BaseGlobalPoolingOptions& options);
  static BaseGlobalPoolingOptions options_from_config(const Config& config, const std::string& who);

 private:
  std::string data_format_;
  bool keepdims_;
  std::string pool_mode_;
};

}  // namespace keras::layers
