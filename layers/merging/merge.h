#pragma once
#include <keras/layers/layer.h>

#include <string>
#include <vector>

namespace keras::layers {

/// Base of the keras.layers merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum,
/// Concatenate, Dot): called on a list of at least 2 tensors with the same batch size, e.g.
/// `layers::Add()({a, b})`. The elementwise ones broadcast the axes after the batch axis as
/// Keras's Merge does, giving lower-rank inputs new axes right after the batch axis.
class Merge : public Layer {
 public:
  using Layer::build;
  using Layer::call;
  using Layer::compute_output_shape;
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) override;

 protected:
  Merge(std::string class_name, const LayerOptions& options);
  /// Merges inputs of equal rank (whose shapes broadcast).
  virtual Tensor merge_function(const Tensors& inputs) = 0;
  /// ValueError (Keras's wording) unless there are at least 2 inputs.
  static void check_input_count(const std::vector<Shape>& input_shapes);
  /// The shape of an elementwise merge (Keras's Merge.compute_output_shape) after checking the
  /// input count, the batch sizes and that the shapes broadcast.
  static Shape elementwise_output_shape(const std::vector<Shape>& input_shapes);
  static std::vector<Shape> shapes_of(const Tensors& inputs);
};

/// A list of shapes as Python prints it: [(2, 3), (None, 3)].
std::string shapes_str(const std::vector<Shape>& shapes);

}  // namespace keras::layers
