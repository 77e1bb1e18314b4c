#pragma once
#include <keras/callbacks/callback.h>
#include <keras/data/dataset.h>
#include <keras/layers/layer.h>
#include <keras/losses/loss.h>
#include <keras/metrics/metric.h>
#include <keras/optimizers/optimizer.h>

#include <initializer_list>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keras {

class Function;
namespace detail {
class EpochBatches;
}
namespace callbacks {
class CallbackList;
}

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
  std::string dtype = {};  // the model's dtype policy name; empty: the global policy
};

/// compile's `loss`: one loss for every output, one per output in order, or one per output name.
class Losses {
 public:
  Losses() = default;
  template <class T>
    requires std::is_constructible_v<LossArg, T>
  Losses(T&& loss) : list_{LossArg(std::forward<T>(loss))} {}  // NOLINT: .loss = "mse"
  Losses(std::initializer_list<LossArg> losses) : list_(losses) {}
  explicit Losses(std::vector<LossArg> losses) : list_(std::move(losses)) {}
  Losses(const Named<LossArg>& losses) : named_(losses.items) {}  // NOLINT
  const std::vector<LossArg>& list() const { return list_; }
  const std::map<std::string, LossArg>& named() const { return named_; }
  bool empty() const { return list_.empty() && named_.empty(); }

 private:
  std::vector<LossArg> list_;
  std::map<std::string, LossArg> named_;
};

/// keras.Model.compile's keyword arguments, in Keras's order.
struct CompileOptions {
  OptimizerArg optimizer = "rmsprop";
  Losses loss = {};
  std::vector<double> loss_weights = {};
  std::vector<MetricArg> metrics = {};  // applied to every output
  std::vector<MetricArg> weighted_metrics = {};  // these also receive sample and class weights
  /// false (the default): fit/evaluate/predict run their steps through keras::function (traced once
  /// per batch shape, then replayed); true: every step runs eagerly, op by op (for debugging).
  bool run_eagerly = false;
  /// Batches per execution: callbacks' batch hooks run once per this many batches, as in Keras.
  int64_t steps_per_execution = 1;
  /// Under the mixed_float16 policy, wraps the optimizer in a LossScaleOptimizer (as Keras).
  bool auto_scale_loss = true;
};

/// fit's validation_data: (x, y[, sample_weight]) tensors or a Dataset; empty when not given.
class ValidationData {
 public:
  ValidationData() = default;
  ValidationData(Tensor x, Tensor y, Tensor sample_weight = {})
      : x_{std::move(x)}, y_{std::move(y)}, sample_weight_(std::move(sample_weight)), given_(true) {}
  ValidationData(Tensors x, Tensors y, Tensor sample_weight = {})
      : x_(std::move(x)), y_(std::move(y)), sample_weight_(std::move(sample_weight)), given_(true) {}
  ValidationData(data::Dataset dataset) : dataset_(std::make_shared<data::Dataset>(std::move(dataset))), given_(true) {}  // NOLINT
  bool given() const { return given_; }
  const Tensors& x() const { return x_; }
  const Tensors& y() const { return y_; }
  const Tensor& sample_weight() const { return sample_weight_; }
  const std::shared_ptr<data::Dataset>& dataset() const { return dataset_; }

 private:
  Tensors x_, y_;
  Tensor sample_weight_;
  std::shared_ptr<data::Dataset> dataset_;
  bool given_ = false;
};

/// keras.Model.fit's keyword arguments, in Keras's order.
struct FitOptions {
  std::optional<int64_t> batch_size = {};  // default 32 (ignored for a Dataset, which is batched)
  int epochs = 1;
  int verbose = 1;  // 0 silent, 1 progress bar, 2 one line per epoch
  std::vector<CallbackArg> callbacks = {};
  double validation_split = 0.0;  // the last fraction of the samples, before shuffling, as Keras
  ValidationData validation_data = {};
  bool shuffle = true;
  std::map<int64_t, double> class_weight = {};
  Tensor sample_weight = {};
  int initial_epoch = 0;
  std::optional<int64_t> steps_per_epoch = {};
  std::optional<int64_t> validation_steps = {};
  std::optional<int64_t> validation_batch_size = {};
  int validation_freq = 1;
};

struct EvaluateOptions {
  std::optional<int64_t> batch_size = {};
  int verbose = 1;
  Tensor sample_weight = {};
  std::optional<int64_t> steps = {};
  std::vector<CallbackArg> callbacks = {};
};

/// Model.summary's keyword arguments.
struct SummaryOptions {
  std::optional<int64_t> line_length = {};  // default 88 (108 with "Connected to"), at most the terminal's width - 4
  std::vector<double> positions = {};       // right edge of each column, as a fraction of line_length
  bool expand_nested = false;               // also list the layers of nested models, indented
  bool show_trainable = false;              // adds a "Trainable" column (Y / N / -)
  std::vector<std::string> layer_range = {};  // {first, last}: regexes matched against layer names
};

struct PredictOptions {
  int64_t batch_size = 32;
  int verbose = 0;
  std::optional<int64_t> steps = {};
  std::vector<CallbackArg> callbacks = {};
};

/// One batch as train_step / test_step receive it (Keras's (x, y, sample_weight) tuple).
struct Batch {
  Tensors x;
  Tensors y;
  Tensor sample_weight = {};
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
  /// Builds for these input shapes unless built; a subclassed model then runs call() once on zeros
  /// (None dimensions as 1) so that its sub-layers create their weights, as Keras builds by running.
  void build_from_config(const std::vector<Shape>& input_shapes) override;
  /// Rebuilds a Functional model from get_config() (Keras 3 or Keras 2 node formats).
  static std::shared_ptr<Layer> from_config(const Config& config);

  /// Configures training (keras.Model.compile).
  void compile(CompileOptions options);
  bool compiled() const;
  /// Trains for `epochs` epochs (keras.Model.fit); returns the History.
  History fit(const Tensor& x, const Tensor& y, FitOptions options = {});
  History fit(const Tensors& x, const Tensors& y, FitOptions options = {});
  /// A Dataset of (x, y[, sample_weight]) batches.
  History fit(const data::Dataset& dataset, FitOptions options = {});
  /// Loss and metrics on the data, by name (Keras's return_dict=True).
  Logs evaluate(const Tensor& x, const Tensor& y, EvaluateOptions options = {});
  Logs evaluate(const Tensors& x, const Tensors& y, EvaluateOptions options = {});
  Logs evaluate(const data::Dataset& dataset, EvaluateOptions options = {});
  Logs train_on_batch(const Tensors& x, const Tensors& y, const Tensor& sample_weight = {});
  Logs test_on_batch(const Tensors& x, const Tensors& y, const Tensor& sample_weight = {});
  Tensors predict_on_batch(const Tensors& x);
  /// One execution as fit()/evaluate()/predict() run it (steps_per_execution steps, fewer at the end
  /// of the data): train_step / test_step / predict_on_batch on each batch, all in one keras::function
  /// call that replays one traced graph of every step, unless compile's run_eagerly (Keras's
  /// train_function and friends). The logs are the metrics after the last step; predict's are the
  /// outputs of each step.
  Logs run_train_steps(const std::vector<Batch>& batches);
  Logs run_test_steps(const std::vector<Batch>& batches);
  std::vector<Tensors> run_predict_steps(const std::vector<Tensors>& xs);
  /// The keras::function fit() runs (its graph() shows the traced step); ValueError when run_eagerly.
  Function& train_function();

  /// One training step (Keras 3's train_step): forward under a GradientTape, compute_loss,
  /// gradients, optimizer update, compute_metrics. Override it to customise fit().
  virtual Logs train_step(const Batch& data);
  /// One evaluation step: forward, compute_loss, compute_metrics.
  virtual Logs test_step(const Batch& data);
  /// The compiled losses (weighted, summed over outputs) plus the model's regularization losses.
  Tensor compute_loss(const Batch& data, const Tensors& y_pred, bool training = true);
  /// Updates the loss tracker and compiled metrics; returns every metric's result by name.
  Logs compute_metrics(const Batch& data, const Tensors& y_pred, const Tensor& loss);
  /// The metrics' current results by name ("loss", "accuracy", ...).
  Logs get_metrics_result() const;
  /// get_metrics_result(), unless a custom step returned logs with other keys: then those logs.
  Logs metrics_result_or(const Logs& step_logs) const;
  void reset_metrics();
  /// The loss tracker ("loss") followed by the compiled metrics.
  std::vector<std::shared_ptr<metrics::Metric>> metrics() const;
  /// The compiled optimizer; ValueError before compile.
  optimizers::Optimizer& optimizer() const;
  /// Set by a callback (or a custom step) to end fit after the current batch.
  bool stop_training() const;
  void set_stop_training(bool stop);
  /// Set by a callback's on_train_begin to make that fit start at `epoch` instead of its
  /// initial_epoch (Keras's model._initial_epoch, which BackupAndRestore sets to resume).
  void set_initial_epoch(int epoch);
  /// compile's arguments as Keras 3 records them ({} when not compiled).
  Config get_compile_config() const;
  /// Keras's compile_from_config: compiles from what get_compile_config() (or Keras 3) wrote, then
  /// builds the optimizer's variables when the model is built, so that saved state can be assigned.
  void compile_from_config(const Config& config);

  /// Moves every weight, the optimizer's variables and the metrics' state to `device` (the Variables
  /// stay the same objects); fit/evaluate/predict then copy batches there and run on it.
  Model& to(Device device);
  /// The device of the model's weights (default_device() while it has none).
  Device device() const;

  /// Inference in batches of batch_size; outputs concatenated along the batch axis.
  Tensor predict(const Tensor& x, PredictOptions options = {});
  Tensors predict(const Tensors& x, PredictOptions options = {});

  /// Saves to `.keras` or legacy `.h5`/`.hdf5` by the suffix (keras::save_model, models/saving.h).
  void save(const std::string& path) const;
  /// Keras 3's weights file; the path must end in `.weights.h5`, as Keras requires.
  void save_weights(const std::string& path) const;
  /// Loads weights from `.weights.h5`, `.keras` or legacy `.h5`/`.hdf5`; nothing changes if it fails. As in
  /// Keras 3, a compiled model also gets its optimizer's variables from a `.weights.h5` or `.keras` file
  /// that holds them (skipped with a warning when their number differs).
  void load_weights(const std::string& path);
  /// serialize_keras_object(model) as JSON text (models::model_from_json reads it back).
  std::string to_json() const;

  /// Keras's summary table (Layer (type) | Output Shape | Param # [| Connected to]) and totals,
  /// laid out as Keras 3 prints it on a plain (uncoloured) console.
  void summary(std::ostream& os, const SummaryOptions& options = {}) const;
  void summary(const SummaryOptions& options = {}) const;
  std::string summary_string(const SummaryOptions& options = {}) const;

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
  std::shared_ptr<Graph> graph_;
  struct Training;
  std::shared_ptr<Training> training_;
  Training& training(const char* what) const;
  History run_fit(const std::function<std::unique_ptr<detail::EpochBatches>()>& make_train,
                  const std::function<std::unique_ptr<detail::EpochBatches>()>& make_val, const FitOptions& options,
                  callbacks::CallbackList& callbacks);  // null for subclassed models until they define one
  std::shared_ptr<std::vector<std::string>> input_names_ = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::vector<std::string>> output_names_ = std::make_shared<std::vector<std::string>>();
  const Graph& graph(const char* what) const;
};

}  // namespace keras
