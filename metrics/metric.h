#pragma once
#include <keras/core/tensor.h>
#include <keras/core/variable.h>
#include <keras/layers/config.h>

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace keras::metrics {

struct MetricOptions {
  std::string name = {};  // empty: Keras's default name for the class ("accuracy", "mean", ...)
  DType dtype = DType::float32;
};

/// keras.metrics.Metric: a stateful measurement. Its state lives in non-trainable Variables, so
/// copies of a metric share it (compile(), fit() and the caller see the same numbers).
class Metric {
 public:
  virtual ~Metric() = default;
  /// Accumulates one batch. Metrics of predictions take (y_true, y_pred[, sample_weight]).
  virtual void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) = 0;
  /// The current value (a scalar for most metrics).
  virtual Tensor result() const = 0;
  /// Zeros every state variable.
  virtual void reset_state();
  virtual std::string class_name() const = 0;
  /// {"name", "dtype", ...class arguments}.
  virtual Config get_config() const;
  const std::string& name() const { return name_; }
  /// Renames this handle (compile prefixes metrics of multi-output models with the output's name).
  void set_name(std::string name) { name_ = std::move(name); }
  DType dtype() const { return dtype_; }
  const std::vector<Variable>& variables() const { return *variables_; }
  /// Keras's auto_name, for the classes whose name defaults to None: "auc", then "auc_1", "auc_2", ...
  static std::string unique_name(const std::string& base);

 protected:
  Metric(const std::string& default_name, const MetricOptions& options);
  /// A state variable (non-trainable, zeros unless `initial` is given).
  Variable add_variable(const Shape& shape, const std::string& name, DType dtype, const Tensor& initial = {});
  /// A state variable whose shape is known only at the first update (F1Score, R2Score): declared in
  /// the constructor so that every copy holds it, created and listed later by build_variable.
  Variable declare_variable(const std::string& name) const;
  /// Gives a declared variable its zeros of `shape` (in this metric's dtype) and lists it in variables().
  void build_variable(Variable& declared, const Shape& shape);

 private:
  std::string name_;
  DType dtype_;
  std::shared_ptr<std::vector<Variable>> variables_ = std::make_shared<std::vector<Variable>>();
};

}  // namespace keras::metrics

namespace keras {

/// What compile's `metrics` takes: a Keras name ("accuracy", "mae", "auc", ...), a Metric object,
/// or a callable (y_true, y_pred) -> per-sample values (averaged, as Keras's MeanMetricWrapper).
/// "accuracy"/"acc" and "crossentropy"/"ce" are resolved from the shapes of the first batch, as
/// Keras's compile_utils.get_metric does (binary when y_pred's last axis is 1; sparse when y_true
/// has lower rank or a last axis of 1; else categorical), keeping the given name.
class MetricArg {
 public:
  MetricArg(const char* name);         // NOLINT
  MetricArg(const std::string& name);  // NOLINT
  template <class T>
    requires std::is_base_of_v<metrics::Metric, T>
  MetricArg(const T& metric) : metric_(std::make_shared<T>(metric)), given_name_(metric.name()) {}  // NOLINT
  /// A metric held by pointer (e.g. a user subclass seen as Metric&): the same object, shared.
  MetricArg(std::shared_ptr<metrics::Metric> metric);  // NOLINT
  MetricArg(std::function<Tensor(const Tensor&, const Tensor&)> fn, std::string name);

  /// The metric object; a name is resolved (a new metric each call) from the batch shapes.
  std::shared_ptr<metrics::Metric> resolve(const Shape& y_true, const Shape& y_pred) const;
  const std::string& given_name() const { return given_name_; }
  /// What compile_config records: the name as given, or the object's serialised dict
  /// {"module": "keras.metrics", "class_name", "config", "registered_name": null}.
  Config to_config() const;
  /// Reads what to_config wrote (a name or an object dict; a Keras 2 {"class_name", "config"} too).
  static MetricArg from_config(const Config& config);

 private:
  MetricArg() = default;
  std::shared_ptr<metrics::Metric> metric_;
  std::string given_name_;
  std::function<Tensor(const Tensor&, const Tensor&)> fn_;  // a callable: a new MeanMetricWrapper per resolve
};

}  // namespace keras
