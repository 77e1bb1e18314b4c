#pragma once
#include <keras/layers/merging/merge.h>

namespace keras::layers {

struct ConcatenateOptions {
  int64_t axis = -1;
  std::string name = {};  // empty: "concatenate", "concatenate_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Concatenate: joins a list of tensors along `axis`; every other axis must match.
/// (batch, 2, 5) and (batch, 1, 5) with axis=1 -> (batch, 3, 5).
class Concatenate final : public Merge {
 public:
  explicit Concatenate(ConcatenateOptions options = {});
  using Merge::call;
  using Merge::compute_output_shape;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Concatenate>(*this); }

  int64_t axis() const { return options_.axis; }

 protected:
  Tensor merge_function(const Tensors& inputs) override;

 private:
  ConcatenateOptions options_;
};

}  // namespace keras::layers
