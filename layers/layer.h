#pragma once
#include <keras/core/tensor.h>
#include <keras/core/variable.h>
#include <keras/layers/config.h>
#include <keras/layers/constraints.h>
#include <keras/layers/initializers.h>
#include <keras/layers/keras_tensor.h>
#include <keras/layers/regularizers.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keras {

/// keras.InputSpec: what a layer accepts; checked on every call with Keras's error messages.
struct InputSpec {
  std::optional<int64_t> ndim = {};
  std::optional<int64_t> min_ndim = {};
  std::optional<int64_t> max_ndim = {};
  std::map<int64_t, int64_t> axes = {};  // axis (may be negative) -> required size
};

/// The keyword arguments every layer takes.
struct LayerOptions {
  std::string name;  // empty: snake_case of the class name, made unique ("dense", "dense_1", ...)
  bool trainable = true;
  std::string dtype = {};  // a Keras dtype policy name ("float32", "mixed_bfloat16", ...); empty: the global policy
  bool autocast = true;    // cast floating inputs to the compute dtype and autocast variables in call
};

/// add_weight's keyword arguments.
struct WeightOptions {
  Shape shape = {};
  Initializer initializer = "glorot_uniform";
  std::optional<DType> dtype = {};  // default: the layer's variable dtype
  bool trainable = true;
  bool autocast = true;  // false: read in its own dtype inside call even under a mixed policy
  Regularizer regularizer = {};
  Constraint constraint = {};
};

/// keras.layers.Layer. Layers are handles: a copy shares the original's weights, name and state,
/// so one layer may be called at several places of a graph, and a layer passed to a model by value
/// is still the model's layer. Subclasses keep mutable state in Variables (declared as members with
/// declare_weight and created in build) or behind shared pointers; other members are configuration.
class Layer {
 public:
  virtual ~Layer() = default;

  /// Calls the layer eagerly, building it on the first call. `training` defaults to the enclosing
  /// call's (false at top level), as Keras propagates it.
  Tensor operator()(const Tensor& inputs, std::optional<bool> training = std::nullopt);
  Tensors operator()(const Tensors& inputs, std::optional<bool> training = std::nullopt);
  /// Calls the layer symbolically (Functional API): checks and infers shapes, records a node.
  KerasTensor operator()(const KerasTensor& inputs);
  KerasTensor operator()(const std::vector<KerasTensor>& inputs);
  /// Every output of a symbolic call (for layers and models with several outputs).
  std::vector<KerasTensor> call_symbolic(const std::vector<KerasTensor>& inputs, bool list_input);

  /// Creates the weights for inputs of this shape (batch axis included, possibly None).
  virtual void build(const Shape& input_shape);
  virtual void build(const std::vector<Shape>& input_shapes);
  /// The computation. Single-input layers override the first, multi-input layers the second.
  virtual Tensor call(const Tensor& inputs, bool training);
  virtual Tensors call(const Tensors& inputs, bool training);
  /// Output shape for an input shape (None batch allowed). The default runs `call` on zeros with
  /// None dimensions set to 1 and maps them back to None; layers override it where they can say.
  virtual Shape compute_output_shape(const Shape& input_shape);
  virtual std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes);
  /// Keras 3 get_config(): name, trainable, dtype policy and the class's own arguments.
  virtual Config get_config() const;
  /// A handle to this same layer (shares everything); each class implements it in one line.
  virtual std::shared_ptr<Layer> clone() const = 0;
  /// Sub-layers whose weights belong to this one (models, wrappers); tracked in order.
  virtual std::vector<std::shared_ptr<Layer>> layers() const;

  /// Identity of the layer (the same for every copy of it).
  const void* id() const { return state_.get(); }
  const std::string& class_name() const;
  const std::string& name() const;
  bool trainable() const;
  /// Freezes or unfreezes this layer and its sub-layers (their trainable weights stop being trained).
  virtual void set_trainable(bool trainable);
  bool built() const;
  DType compute_dtype() const;
  DType variable_dtype() const;
  const std::string& dtype_policy() const;
  /// Whether the layer casts its inputs and autocasts its variables (Keras's `autocast`).
  bool autocast() const;
  const std::optional<InputSpec>& input_spec() const;

  /// Own and sub-layers' weights, trainable first then non-trainable, in creation order (as Keras).
  std::vector<Variable> weights() const;
  std::vector<Variable> trainable_weights() const;
  std::vector<Variable> non_trainable_weights() const;
  std::vector<Tensor> get_weights() const;
  /// Sets every weight, in weights() order; ValueError on a count or shape mismatch.
  void set_weights(const std::vector<Tensor>& values);
  int64_t count_params() const;
  /// Regularization penalties of the weights plus activity losses added by the last call.
  Tensors losses() const;
  /// Adds an activity loss for the current call (cleared at the next top-level call).
  void add_loss(const Tensor& loss);

  /// Builds for these input shapes unless built (Keras's build_from_config).
  virtual void build_from_config(const std::vector<Shape>& input_shapes) { maybe_build(input_shapes); }
  /// The input shapes the layer was built with (Keras's build_config), if built.
  const std::optional<std::vector<Shape>>& build_input_shapes() const;
  /// Nodes of symbolic calls of this layer that are still part of some graph (Functional API).
  std::vector<std::shared_ptr<Node>> inbound_nodes() const;

 protected:
  /// `class_name` is the Keras class name ("Dense"); the default name derives from it.
  Layer(std::string class_name, const LayerOptions& options);
  Layer(const Layer&) = default;
  Layer& operator=(const Layer&) = default;

  /// A weight slot: a Variable with no value yet, shared by every copy of the layer. build()
  /// gives it its value with add_weight.
  Variable declare_weight(const std::string& name) const;
  /// Creates the weight in `slot` (its value from the initializer, its trainability, regularizer
  /// and constraint) and registers it with the layer. Returns the slot.
  Variable& add_weight(Variable& slot, const WeightOptions& options);
  /// Registers sub-layers (held by value as members) whose weights belong to this layer.
  void track(const Layer& layer);
  void track_shared(std::shared_ptr<Layer> layer);
  void clear_tracked();
  void set_input_spec(InputSpec spec);
  void set_built(bool built);
  /// The options a subclass's from_config needs: name, trainable, dtype.
  static LayerOptions base_options(const Config& config);

 private:
  struct State;
  std::shared_ptr<State> state_;
  void maybe_build(const std::vector<Shape>& shapes);
  void clear_activity_losses();
  std::vector<Shape> probe_output_shapes(const std::vector<Shape>& input_shapes);
  void check_input_spec(const Shape& shape, size_t index) const;
  Tensors call_autocast(const Tensors& inputs, bool training);
};

/// Any layer object, held as a handle to that same layer: lets one list mix layer types,
/// as in Sequential({layers::Dense(64), layers::Dropout(0.5)}).
class AnyLayer {
 public:
  template <class L>
    requires std::is_base_of_v<Layer, L>
  AnyLayer(const L& layer) : layer_(layer.clone()) {}  // NOLINT
  AnyLayer(std::shared_ptr<Layer> layer);              // NOLINT
  /// The InputLayer behind a keras::Input() tensor, as Sequential({Input({8}), ...}) takes it.
  AnyLayer(const KerasTensor& input);  // NOLINT
  Layer& operator*() const { return *layer_; }
  Layer* operator->() const { return layer_.get(); }
  const std::shared_ptr<Layer>& get() const { return layer_; }

 private:
  std::shared_ptr<Layer> layer_;
};

/// Keras's snake_case of a class name: "Conv2D" -> "conv2d", "MaxPooling2D" -> "max_pooling2d".
std::string to_snake_case(const std::string& class_name);

}  // namespace keras
