#pragma once
#include <keras/metrics/reduction_metrics.h>

#include <optional>
#include <string>

namespace keras::metrics {

/// keras.metrics.MeanSquaredError: the mean of mean(square(y_true - y_pred), axis=-1).
class MeanSquaredError : public MeanMetricWrapper {
 public:
  explicit MeanSquaredError(MetricOptions options = {});
  std::string class_name() const override { return "MeanSquaredError"; }
};

/// keras.metrics.MeanAbsoluteError: the mean of mean(abs(y_true - y_pred), axis=-1).
class MeanAbsoluteError : public MeanMetricWrapper {
 public:
  explicit MeanAbsoluteError(MetricOptions options = {});
  std::string class_name() const override { return "MeanAbsoluteError"; }
};

/// keras.metrics.MeanAbsolutePercentageError: 100 * mean(abs((y_true - y_pred) / y_true)).
class MeanAbsolutePercentageError : public MeanMetricWrapper {
 public:
  explicit MeanAbsolutePercentageError(MetricOptions options = {});
  std::string class_name() const override { return "MeanAbsolutePercentageError"; }
};

/// keras.metrics.MeanSquaredLogarithmicError: mean(square(log(y_true + 1) - log(y_pred + 1))).
class MeanSquaredLogarithmicError : public MeanMetricWrapper {
 public:
  explicit MeanSquaredLogarithmicError(MetricOptions options = {});
  std::string class_name() const override { return "MeanSquaredLogarithmicError"; }
};

/// keras.metrics.RootMeanSquaredError: sqrt of the (weighted) mean of square(y_pred - y_true).
class RootMeanSquaredError : public Mean {
 public:
  explicit RootMeanSquaredError(MetricOptions options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  Tensor result() const override;
  std::string class_name() const override { return "RootMeanSquaredError"; }
};

struct CosineSimilarityOptions {
  std::string name = {};  // empty: "cosine_similarity"
  DType dtype = DType::float32;
  int64_t axis = -1;
};

/// keras.metrics.CosineSimilarity: the mean cosine similarity of y_true and y_pred along `axis`.
class CosineSimilarity : public MeanMetricWrapper {
 public:
  explicit CosineSimilarity(CosineSimilarityOptions options = {});
  std::string class_name() const override { return "CosineSimilarity"; }
  Config get_config() const override;

 private:
  int64_t axis_;
};

/// keras.metrics.LogCoshError: the mean of log(cosh(y_pred - y_true)) ("logcosh").
class LogCoshError : public MeanMetricWrapper {
 public:
  explicit LogCoshError(MetricOptions options = {});
  std::string class_name() const override { return "LogCoshError"; }
};

struct R2ScoreOptions {
  /// "uniform_average", "variance_weighted_average", or nullopt (None: one score per output).
  std::optional<std::string> class_aggregation = "uniform_average";
  int64_t num_regressors = 0;  // > 0: the adjusted R2 score
  std::string name = {};       // empty: "r2_score"
  DType dtype = DType::float32;
};

/// keras.metrics.R2Score: the coefficient of determination 1 - SS_res / SS_tot of (batch, outputs)
/// data, per output and aggregated; state created at the first update.
class R2Score : public Metric {
 public:
  explicit R2Score(R2ScoreOptions options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  Tensor result() const override;
  std::string class_name() const override { return "R2Score"; }
  Config get_config() const override;

 private:
  R2ScoreOptions options_;
  Variable num_samples_;
  Variable squared_sum_;  // these four: (outputs,), built at the first update
  Variable sum_;
  Variable total_mse_;
  Variable count_;
};

}  // namespace keras::metrics
