#pragma once
#include <keras/models/model.h>

#include <vector>

namespace keras {

/// keras.Sequential: a plain stack of layers, each with one input and one output.
/// Built from a leading Input, or lazily on the first call / build().
class Sequential final : public Model {
 public:
  explicit Sequential(std::vector<AnyLayer> layers = {}, ModelOptions options = {});

  /// Appends a layer (an Input sets the model's input shape). Names must stay unique.
  void add(const AnyLayer& layer);
  /// Removes the last layer.
  void pop();
  /// The layers, without the InputLayer (as Keras's Sequential.layers).
  std::vector<std::shared_ptr<Layer>> layers() const override;

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Tensors call(const Tensors& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Sequential>(*this); }
  static std::shared_ptr<Layer> from_config(const Config& config);

 private:
  struct Stack {
    std::shared_ptr<Layer> input;  // an InputLayer, or null until built
    std::vector<std::shared_ptr<Layer>> layers;
  };
  std::shared_ptr<Stack> stack_ = std::make_shared<Stack>();
  void rebuild();
};

}  // namespace keras
