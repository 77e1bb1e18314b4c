#pragma once
#include <keras/core/dtype.h>
#include <keras/core/shape.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keras {

class Layer;
struct Node;

/// A symbolic tensor of the Functional API (keras.KerasTensor): a shape (None for unknown
/// dimensions), a dtype, and the layer call that produced it. Copies are the same tensor.
class KerasTensor {
 public:
  KerasTensor() = default;
  KerasTensor(Shape shape, DType dtype, std::shared_ptr<Node> producer = nullptr, size_t index = 0,
              std::string name = "");

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  DType dtype() const;
  const std::string& name() const;
  /// The node (layer call) that made this tensor, and which of its outputs it is.
  const std::shared_ptr<Node>& producer() const;
  size_t index() const;
  /// Identity, for maps from symbolic to concrete tensors.
  const void* id() const { return impl_.get(); }
  bool operator==(const KerasTensor& other) const { return impl_ == other.impl_; }
  std::string str() const;  // <KerasTensor shape=(None, 8), dtype=float32, name=dense>

 private:
  struct Impl {
    Shape shape;
    DType dtype;
    std::shared_ptr<Node> producer;
    size_t index;
    std::string name;
  };
  std::shared_ptr<const Impl> impl_;
};

/// One call of a layer in a Functional graph: which layer, on which symbolic inputs.
struct Node {
  std::shared_ptr<Layer> layer;
  std::vector<KerasTensor> inputs;
  bool list_input = false;  // called with a list (merge layers) rather than one tensor
  std::vector<Shape> output_shapes;
  std::vector<DType> output_dtypes;
};

struct InputOptions {
  std::optional<int64_t> batch_size = {};
  std::string name = {};  // empty: "input_layer", "input_layer_1", ...
  DType dtype = DType::float32;
};

/// keras.Input: a symbolic input of `shape` (batch axis excluded), e.g. Input({28, 28, 1}).
KerasTensor Input(const Shape& shape, InputOptions options = {});

}  // namespace keras
