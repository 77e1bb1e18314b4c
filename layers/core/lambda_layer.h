#pragma once
#include <keras/layers/layer.h>

#include <functional>
#include <variant>

namespace keras::layers {

struct LambdaOptions {
  /// Without batch axis (the input's batch is prepended), or a function of the whole input shape;
  /// unset: inferred by running the function on zeros.
  std::variant<std::monostate, Shape, std::function<Shape(const Shape&)>> output_shape = {};
  std::string name = {};  // empty: "lambda", "lambda_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Lambda: wraps a C++ callable as a layer, for quick Sequential/Functional use.
/// It cannot be saved: Keras stores a Python lambda's bytecode, and a C++ callable has no such
/// portable form. To save a model, write a Layer subclass with get_config() and register it.
class Lambda final : public Layer {
 public:
  explicit Lambda(std::function<Tensor(const Tensor&)> function, LambdaOptions options = {});
  /// A function that also takes the `training` flag (as a Keras function with a `training` argument).
  explicit Lambda(std::function<Tensor(const Tensor&, bool training)> function, LambdaOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  /// Throws ValueError: a C++ callable cannot be serialised (see the class comment).
  Config get_config() const override;
  /// Throws ValueError: a Lambda saved by Keras holds Python code, which cannot run here.
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Lambda>(*this); }

 private:
  std::function<Tensor(const Tensor&, bool)> function_;
  LambdaOptions options_;
};

}  // namespace keras::layers
