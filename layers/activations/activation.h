#pragma once
#include <keras/layers/activations.h>
#include <keras/layers/layer.h>

namespace keras::layers {

/// keras.layers.Activation: applies an activation function (a Keras name or a callable); shape unchanged.
/// NOTE: inside namespace keras::layers this class hides keras::Activation (the function type),
/// so headers there must spell the option type `keras::Activation`.
class Activation final : public Layer {
 public:
  explicit Activation(keras::Activation activation, LayerOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Activation>(*this); }

  const keras::Activation& activation() const { return activation_; }

 private:
  keras::Activation activation_;
};

}  // namespace keras::layers
