#pragma once
#include <keras/metrics/metric.h>

#include <functional>
#include <string>

namespace keras::metrics {

/// The base of Sum and Mean: metrics of values, update_state(values, sample_weight). Values of rank
/// > 1 are reduced to one per sample first (with the sum for Sum, the mean for Mean), as Keras's
/// reduce_to_samplewise_values.
class Reduce : public Metric {
 public:
  /// Accumulates `values`, weighted by `sample_weight` (broadcastable to them) when given.
  void update_state(const Tensor& values, const Tensor& sample_weight = {});
  /// Throws ValueError: Sum and Mean take values, update_state(values, sample_weight).
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) override;

 protected:
  Reduce(const std::string& default_name, const MetricOptions& options, bool mean);
  Variable total_;
  Variable count_;  // Mean only

 private:
  bool mean_;
};

/// keras.metrics.Sum: the (weighted) sum of the values; state `total`.
class Sum : public Reduce {
 public:
  explicit Sum(MetricOptions options = {});
  Tensor result() const override;
  std::string class_name() const override { return "Sum"; }
};

/// keras.metrics.Mean: the (weighted) mean of the values, total / count; state `total`, `count`.
class Mean : public Reduce {
 public:
  explicit Mean(MetricOptions options = {});
  Tensor result() const override;
  std::string class_name() const override { return "Mean"; }

 protected:
  Mean(const std::string& default_name, const MetricOptions& options);
};

using MetricFunction = std::function<Tensor(const Tensor&, const Tensor&)>;

/// keras.metrics.MeanMetricWrapper: the mean over samples of fn(y_true, y_pred) (one value per
/// sample, or more, averaged per sample), weighted by sample_weight.
class MeanMetricWrapper : public Mean {
 public:
  explicit MeanMetricWrapper(MetricFunction fn, MetricOptions options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  std::string class_name() const override { return "MeanMetricWrapper"; }
  /// A wrapper of a user function adds "fn" (named as the metric); the built-in subclasses give
  /// {"name", "dtype", ...their arguments}, as Keras's.
  Config get_config() const override;

 protected:
  /// For the built-in subclasses (Accuracy, MeanSquaredError, ...).
  MeanMetricWrapper(MetricFunction fn, const std::string& default_name, const MetricOptions& options);

 private:
  MetricFunction fn_;
  bool user_fn_ = false;
};

}  // namespace keras::metrics
