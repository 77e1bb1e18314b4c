#pragma once
#include <keras/layers/layer.h>

namespace keras::layers {

struct EmbeddingOptions {
  Initializer embeddings_initializer = "uniform";  // Keras's alias of RandomUniform(-0.05, 0.05)
  Regularizer embeddings_regularizer = {};
  Constraint embeddings_constraint = {};
  bool mask_zero = false;  // index 0 is padding, so input_dim must be the vocabulary size + 1
  Tensor weights = {};     // initial embeddings of shape (input_dim, output_dim); undefined: use the initializer
  Regularizer activity_regularizer = {};
  std::string name = {};  // empty: "embedding", "embedding_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Embedding: maps integer indices in [0, input_dim) to rows of the trainable
/// `embeddings` matrix (input_dim, output_dim): (batch, ...) -> (batch, ..., output_dim).
/// Float inputs are cast to int32 as Keras does; an index outside [0, input_dim) is a ValueError.
class Embedding final : public Layer {
 public:
  Embedding(int64_t input_dim, int64_t output_dim, EmbeddingOptions options = {});
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  /// With mask_zero, the padding mask `inputs != 0` (bool, the inputs' shape); else undefined (None).
  /// NOTE: masks are not yet propagated to downstream layers: no layer consumes one so far.
  Tensor compute_mask(const Tensor& inputs) const;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Embedding>(*this); }

  int64_t input_dim() const { return input_dim_; }
  int64_t output_dim() const { return output_dim_; }
  const Variable& embeddings() const { return embeddings_; }

 private:
  int64_t input_dim_;
  int64_t output_dim_;
  EmbeddingOptions options_;
  Variable embeddings_ = declare_weight("embeddings");
};

}  // namespace keras::layers
