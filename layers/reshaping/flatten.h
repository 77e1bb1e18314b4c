#pragma once
#include <keras/layers/layer.h>

namespace keras::layers {

struct FlattenOptions {
  std::string data_format = {};  // "channels_last" (the default when empty) or "channels_first"
  std::string name = {};         // empty: "flatten", "flatten_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Flatten: (batch, ...) -> (batch, prod(...)); (batch,) -> (batch, 1). channels_first
/// inputs are first moved to channels_last, so the element order matches a channels_last model's.
class Flatten final : public Layer {
 public:
  explicit Flatten(FlattenOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Flatten>(*this); }

  const std::string& data_format() const { return data_format_; }

 private:
  std::string data_format_;
};

}  // namespace keras::layers
