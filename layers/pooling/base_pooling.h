#pragma once
#include <keras/layers/layer.h>

#include <memory>
#include <string>
#include <vector>

namespace keras::layers {

/// The keyword arguments of MaxPooling1D/2D/3D and AveragePooling1D/2D/3D, after pool_size.
struct BasePoolingOptions {
  std::vector<int64_t> strides = {};  // one value or one per spatial axis; empty (None): pool_size
  std::string padding = "valid";      // "valid" or "same", case-insensitive
  std::string data_format = {};       // "channels_last"/"channels_first"; empty: keras::config::image_data_format()
  std::string name = {};              // empty: "max_pooling2d", "max_pooling2d_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// Keras's BasePooling: max or average pooling over the 1-3 spatial axes of (batch, spatial...,
/// channels) inputs, or (batch, channels, spatial...) with channels_first. No weights.
class BasePooling : public Layer {
 public:
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;

  const std::vector<int64_t>& pool_size() const { return pool_size_; }
  const std::vector<int64_t>& strides() const { return strides_; }
  const std::string& padding() const { return padding_; }
  const std::string& data_format() const { return data_format_; }

 protected:
  /// pool_mode is "max" or "average".
  BasePooling(std::string class_name, const std::vector<int64_t>& pool_size, size_t pool_dimensions,
              std::string pool_mode, const BasePoolingOptions& options);
  /// pool_size and options read back from get_config's dict, for the subclasses' from_config.
  static std::pair<std::vector<int64_t>, BasePoolingOptions> arguments_from_config(const Config& config,
                                                                                  const std::string& who);

 private:
  std::vector<int64_t> pool_size_;
  std::vector<int64_t> strides_;
  std::string padding_;
  std::string data_format_;
  std::string pool_mode_;
};

}  // namespace keras::layers
