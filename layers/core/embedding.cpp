#include <keras/layers/core/embedding.h>

#include <keras/core/graph/graph.h>
#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

Embedding::Embedding(int64_t input_dim, int64_t output_dim, EmbeddingOptions options)
    : Layer("Embedding", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      input_dim_(input_dim),
      output_dim_(output_dim),
      options_(std::move(options)) {
  if (input_dim <= 0 || output_dim <= 0) {
    throw ValueError("Both `input_dim` and `output_dim` should be positive, Received input_dim = " +
                     std::to_string(input_dim) + " and output_dim = " + std::to_string(output_dim));
  }
  if (options_.weights.defined()) {
    // As Keras: `weights` builds the layer at construction and becomes the initial embeddings.
    const Tensor initial = options_.weights;
    options_.weights = Tensor();  // not kept: a copy of the layer must not hold a second buffer
    build(Shape{});
    set_built(true);
    set_weights({initial});
  }
}

void Embedding::build(const Shape& /*input_shape*/) {
  add_weight(embeddings_, {.shape = {input_dim_, output_dim_}, .initializer = options_.embeddings_initializer,
                           .regularizer = options_.embeddings_regularizer,
                           .constraint = options_.embeddings_constraint});
}

Tensor Embedding::call(const Tensor& inputs, bool /*training*/) {
  const bool integer = inputs.dtype() == DType::int32 || inputs.dtype() == DType::int64;
  const Tensor indices = integer ? inputs : ops::cast(inputs, DType::int32);
  // ops::take would wrap negative indices as NumPy does; an embedding lookup has no such meaning.
  // A host check, so that a traced step checks the indices of every batch it replays on.
  graph::host_check("check_indices", {indices}, [name = name(), input_dim = input_dim_](const Tensors& t) {
    const std::vector<int64_t> flat = t[0].to_vector<int64_t>();
    for (size_t i = 0; i < flat.size(); ++i) {
      if (flat[i] < 0 || flat[i] >= input_dim) {
        throw ValueError("Embedding \"" + name + "\": input index " + std::to_string(flat[i]) + " (at flat position " +
                         std::to_string(i) + " of inputs of shape " + t[0].shape().str() + ") is out of range [0, " +
                         std::to_string(input_dim) + "): indices must be non-negative integers below input_dim=" +
                         std::to_string(input_dim));
      }
    }
  });
  Tensor y = ops::take(embeddings_, indices, 0);
  if (y.dtype() != compute_dtype()) y = ops::cast(y, compute_dtype());
  if (options_.activity_regularizer) add_loss(options_.activity_regularizer(y));
  return y;
}

Shape Embedding::compute_output_shape(const Shape& input_shape) {
  std::vector<int64_t> dims = input_shape.dims();
  dims.push_back(output_dim_);
  return Shape(dims);
}

Tensor Embedding::compute_mask(const Tensor& inputs) const {
  if (!options_.mask_zero) return Tensor();
  return ops::not_equal(inputs, ops::zeros({}, inputs.dtype()));
}

Config Embedding::get_config() const {
  Config c = Layer::get_config();
  // Keras's base config holds a set activity_regularizer right after dtype; Embedding's own keeps its slot otherwise.
  if (options_.activity_regularizer) c["activity_regularizer"] = options_.activity_regularizer.to_config();
  c["input_dim"] = input_dim_;
  c["output_dim"] = output_dim_;
  c["embeddings_initializer"] = options_.embeddings_initializer.to_config();
  c["embeddings_regularizer"] = options_.embeddings_regularizer.to_config();
  c["activity_regularizer"] = options_.activity_regularizer.to_config();
  c["embeddings_constraint"] = options_.embeddings_constraint.to_config();
  c["mask_zero"] = options_.mask_zero;
  c["quantization_config"] = nullptr;
  return c;
}

std::shared_ptr<Layer> Embedding::from_config(const Config& config) {
  for (const char* key : {"input_dim", "output_dim"}) {
    if (!config.contains(key) || !config[key].is_number_integer()) {
      throw ValueError(std::string("Embedding config needs an integer '") + key + "', got " +
                       config.dump().substr(0, 200));
    }
  }
  if (config.contains("quantization_config") && !config["quantization_config"].is_null()) {
    throw NotImplementedError("Embedding: quantized layers (quantization_config) are not supported");
  }
  if (config.contains("lora_rank") && !config["lora_rank"].is_null()) {
    throw NotImplementedError("Embedding: LoRA (lora_rank) is not supported");
  }
  const LayerOptions base = base_options(config);
  EmbeddingOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("embeddings_initializer")) {
    o.embeddings_initializer = Initializer::from_config(config["embeddings_initializer"]);
  }
  if (config.contains("embeddings_regularizer")) {
    o.embeddings_regularizer = Regularizer::from_config(config["embeddings_regularizer"]);
  }
  if (config.contains("embeddings_constraint")) {
    o.embeddings_constraint = Constraint::from_config(config["embeddings_constraint"]);
  }
  if (config.contains("activity_regularizer")) {
    o.activity_regularizer = Regularizer::from_config(config["activity_regularizer"]);
  }
  if (config.contains("mask_zero")) o.mask_zero = config["mask_zero"].get<bool>();
  return std::make_shared<Embedding>(config["input_dim"].get<int64_t>(), config["output_dim"].get<int64_t>(), o);
}

KERAS_REGISTER_LAYER(Embedding);

}  // namespace keras::layers
