#pragma once
#include <keras/layers/layer.h>

namespace keras::layers {

struct RescalingOptions {
  double offset = 0.0;
  std::string name = {};  // empty: "rescaling", "rescaling_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Rescaling: inputs * scale + offset, in the compute dtype (integer inputs, such
/// as uint8 images, come out as floats); any shape.
class Rescaling final : public Layer {
 public:
  explicit Rescaling(double scale, RescalingOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Rescaling>(*this); }

  double scale() const { return scale_; }
  double offset() const { return options_.offset; }

 private:
  double scale_;
  RescalingOptions options_;
};

}  // namespace keras::layers
