#pragma once
#include <keras/layers/merging/merge.h>

namespace keras::layers {

struct DotOptions {
  bool normalize = false;  // L2-normalise along the dot axes first: the output is the cosine proximity
  std::string name = {};   // empty: "dot", "dot_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Dot: the batched dot product of 2 tensors over `axes` (one int for both, or one
/// axis per input), as keras's batch_dot: (b, 3, 5) and (b, 10, 3) with axes {1, 2} -> (b, 5, 10);
/// two (b, n) inputs give (b, 1).
class Dot final : public Merge {
 public:
  explicit Dot(int64_t axes, DotOptions options = {});
  explicit Dot(std::vector<int64_t> axes, DotOptions options = {});
  using Merge::call;
  using Merge::compute_output_shape;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Dot>(*this); }

  /// The axes as given: one element when given as an int, else two.
  const std::vector<int64_t>& axes() const { return axes_; }
  bool normalize() const { return options_.normalize; }

 protected:
  Tensor merge_function(const Tensors& inputs) override;

 private:
  /// Non-negative axes of each input, after checking the shapes (Keras's messages).
  std::pair<int64_t, int64_t> resolve_axes(const std::vector<Shape>& input_shapes) const;

  std::vector<int64_t> axes_;
  DotOptions options_;
};

}  // namespace keras::layers
