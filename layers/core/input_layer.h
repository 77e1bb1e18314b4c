#pragma once
#include <keras/layers/layer.h>

namespace keras::layers {

struct InputLayerOptions {
  std::optional<int64_t> batch_size = {};
  DType dtype = DType::float32;
  std::string name = {};  // empty: "input_layer", "input_layer_1", ...
};

/// keras.layers.InputLayer: the entry point of a Functional graph; passes its input through.
/// `shape` excludes the batch axis, as keras.Input's does.
class InputLayer final : public Layer {
 public:
  explicit InputLayer(const Shape& shape, InputLayerOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<InputLayer>(*this); }

  /// (batch, *shape), batch None unless batch_size was given.
  const Shape& batch_shape() const { return batch_shape_; }
  DType dtype() const { return dtype_; }
  /// The symbolic tensor this layer outputs (its one node).
  KerasTensor output();

 private:
  Shape batch_shape_;
  DType dtype_;
};

}  // namespace keras::layers
