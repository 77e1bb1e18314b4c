#pragma once
#include <keras/layers/layer.h>

#include <initializer_list>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace keras {

/// Values keyed by name, for models with named inputs or outputs: {{"image", x}, {"meta", m}}.
/// (A distinct type, so that a braced list of tensors is never mistaken for one.)
template <class T>
struct Named {
  std::map<std::string, T> items;
  Named(std::initializer_list<std::pair<const std::string, T>> list) : items(list) {}
  explicit Named(std::map<std::string, T> map) : items(std::move(map)) {}
  const T& operator[](const std::string& name) const { return items.at(name); }
  size_t size() const { return items.size(); }
};

struct ModelOptions {
  std::string name = {};  // empty: "functional", "sequential", or the snake_case class name
  bool trainable = true;
};

struct PredictOptions {
  int64_t batch_size = 32;
  int verbose = 0;
};

/// keras.Model. Built one of three ways:
///  - Functional: Model(inputs, outputs) over symbolic tensors from Input(...) and layer calls;
///  - Sequential (a subclass, models/sequential.h);
///  - subclassed: derive, hold layers as members, track(...) them, and override call().
/// A model is a Layer: it can be called on tensors, or inside another model's graph.
class Model : public Layer {
 public:
  /// Functional model with one input and one output.
  Model(const KerasTensor& inputs, const KerasTensor& outputs, ModelOptions options = {});
  /// Functional model with several inputs and/or outputs, in the order given.
  Model(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs, ModelOptions options = {});
  /// Functional model whose inputs and outputs are named (called with name -> tensor maps).
  Model(const Named<KerasTensor>& inputs, const Named<KerasTensor>& outputs, ModelOptions options = {});

  Tensor call(const Tensor& inputs, bool training) override;
  Tensors call(const Tensors& inputs, bool training) override;
  using Layer::operator();
  /// Calls a model with named inputs; returns its outputs by name.
  Named<Tensor> operator()(const Named<Tensor>& inputs, std::optional<bool> training = std::nullopt);
  Shape compute_output_shape(const Shape& input_shape) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) override;
  Config get_config() const override;
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Model>(*this); }
  /// Rebuilds a Functional model from get_config() (Keras 3 or Keras 2 node formats).
  static std::shared_ptr<Layer> from_config(const Config& config);

  /// Inference in batches of batch_size; outputs concatenated along the batch axis.
  Tensor predict(const Tensor& x, PredictOptions options = {});
  Tensors predict(const Tensors& x, PredictOptions options = {});

  /// Saves to `.keras` or legacy `.h5`/`.hdf5` by the suffix (keras::save_model, models/saving.h).
  void save(const std::string& path) const;
  /// Keras 3's weights file; the path must end in `.weights.h5`, as Keras requires.
  void save_weights(const std::string& path) const;
  /// Loads weights from `.weights.h5`, `.keras` or legacy `.h5`/`.hdf5`; nothing changes if it fails.
  void load_weights(const std::string& path);
  /// serialize_keras_object(model) as JSON text (models::model_from_json reads it back).
  std::string to_json() const;

  /// Keras's summary table (Layer (type) | Output Shape | Param # [| Connected to]) and totals.
  void summary(std::ostream& os) const;
  void summary() const;
  std::string summary_string() const;

  /// The model's layers (a Functional model lists its InputLayers, as Keras does).
  std::vector<std::shared_ptr<Layer>> layers() const override;
  /// The layer called `name`; ValueError listing the names when there is none.
  std::shared_ptr<Layer> get_layer(const std::string& name) const;
  const std::vector<KerasTensor>& inputs() const;
  const std::vector<KerasTensor>& outputs() const;
  /// Names of the inputs/outputs when the model was built from name maps; empty otherwise.
  const std::vector<std::string>& input_names() const;
  const std::vector<std::string>& output_names() const;
  bool is_functional() const;

 protected:
  /// For subclassed models: `class_name` is the Keras class name used in configs and summaries.
  explicit Model(std::string class_name, ModelOptions options = {});
  /// Registers member layers whose weights belong to the model: track(dense1_, dense2_);
  template <class... Layers>
  void track(const Layers&... layers) {
    (Layer::track(layers), ...);
  }
  /// For Sequential: (re)defines the graph this model runs.
  void set_graph(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs);

 private:
  friend struct GraphBuilder;
  struct Graph;
  std::shared_ptr<Graph> graph_;  // null for subclassed models until they define one
  std::shared_ptr<std::vector<std::string>> input_names_ = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::vector<std::string>> output_names_ = std::make_shared<std::vector<std::string>>();
  const Graph& graph(const char* what) const;
};

}  // namespace keras
