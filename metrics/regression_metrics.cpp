#include <keras/metrics/regression_metrics.h>

#include <keras/core/ops.h>
#include <keras/losses/losses.h>
#include <keras/metrics/metrics_utils.h>

#include <nlohmann/json.hpp>

namespace keras::metrics {

MeanSquaredError::MeanSquaredError(MetricOptions options)
    : MeanMetricWrapper(losses::mean_squared_error, "mean_squared_error", options) {}

MeanAbsoluteError::MeanAbsoluteError(MetricOptions options)
    : MeanMetricWrapper(losses::mean_absolute_error, "mean_absolute_error", options) {}

MeanAbsolutePercentageError::MeanAbsolutePercentageError(MetricOptions options)
    : MeanMetricWrapper(losses::mean_absolute_percentage_error, "mean_absolute_percentage_error", options) {}

MeanSquaredLogarithmicError::MeanSquaredLogarithmicError(MetricOptions options)
    : MeanMetricWrapper(losses::mean_squared_logarithmic_error, "mean_squared_logarithmic_error", options) {}

RootMeanSquaredError::RootMeanSquaredError(MetricOptions options) : Mean("root_mean_squared_error", options) {}

void RootMeanSquaredError::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const auto [t, p] =
      detail::squeeze_or_expand_to_same_rank(ops::cast(y_true, dtype()), ops::cast(y_pred, dtype()));
  Mean::update_state(ops::square(p - t), sample_weight);
}

Tensor RootMeanSquaredError::result() const { return ops::sqrt(Mean::result()); }

CosineSimilarity::CosineSimilarity(CosineSimilarityOptions options)
    : MeanMetricWrapper([axis = options.axis](const Tensor& y_true, const Tensor& y_pred) {
                          return ops::negative(losses::cosine_similarity(y_true, y_pred, axis));  // the loss is its negative
                        },
                        "cosine_similarity", {options.name, options.dtype}),
      axis_(options.axis) {}

Config CosineSimilarity::get_config() const {
  Config config = MeanMetricWrapper::get_config();
  config["axis"] = axis_;
  return config;
}

LogCoshError::LogCoshError(MetricOptions options) : MeanMetricWrapper(losses::log_cosh, "logcosh", options) {}

R2Score::R2Score(R2ScoreOptions options)
    : Metric("r2_score", {options.name, options.dtype}), options_(std::move(options)) {
  const auto& aggregation = options_.class_aggregation;
  if (aggregation && *aggregation != "uniform_average" && *aggregation != "variance_weighted_average") {
    throw ValueError("Invalid value for argument `class_aggregation`. Expected one of (None, 'uniform_average', "
                     "'variance_weighted_average'). Received: class_aggregation=" + *aggregation);
  }
  if (options_.num_regressors < 0) {
    throw ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. Received: num_regressors=" +
                     std::to_string(options_.num_regressors));
  }
  num_samples_ = add_variable(Shape{}, "num_samples", dtype());
  squared_sum_ = declare_variable("squared_sum");
  sum_ = declare_variable("sum");
  total_mse_ = declare_variable("residual");
  count_ = declare_variable("count");
}

void R2Score::update_state(const Tensor& y_true_in, const Tensor& y_pred_in, const Tensor& sample_weight_in) {
  const auto [y_true, y_pred] =
      detail::squeeze_or_expand_to_same_rank(ops::cast(y_true_in, dtype()), ops::cast(y_pred_in, dtype()));
  if (y_true.rank() != 2 || y_pred.rank() != 2) {
    throw ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                     "y_pred.shape=" + y_pred.shape().str() + " and y_true.shape=" + y_true.shape().str() + ".");
  }
  if (!sum_.has_value()) {
    const Shape per_output{y_pred.shape()[-1]};
    build_variable(squared_sum_, per_output);
    build_variable(sum_, per_output);
    build_variable(total_mse_, per_output);
    build_variable(count_, per_output);
  }
  Tensor sample_weight = sample_weight_in.defined() ? ops::cast(sample_weight_in, dtype()) : Tensor::scalar(1.0, dtype());
  if (sample_weight.rank() == 1) sample_weight = ops::expand_dims(sample_weight, 1);  // a features axis
  sample_weight = ops::broadcast_to(sample_weight, y_true.shape());
  const Tensor weighted_y_true = y_true * sample_weight;
  sum_.assign(sum_.value() + ops::sum(weighted_y_true, 0));
  squared_sum_.assign(squared_sum_.value() + ops::sum(y_true * weighted_y_true, 0));
  total_mse_.assign(total_mse_.value() + ops::sum(ops::square(y_true - y_pred) * sample_weight, 0));
  count_.assign(count_.value() + ops::sum(sample_weight, 0));
  num_samples_.assign(num_samples_.value() + static_cast<double>(y_true.size()));
}

Tensor R2Score::result() const {
  if (!sum_.has_value()) {
    throw ValueError("R2Score '" + name() + "' has no result before its first update_state");
  }
  const Tensor mean = sum_.value() / count_.value();
  const Tensor total = squared_sum_.value() - sum_.value() * mean;
  Tensor raw_scores = 1.0 - total_mse_.value() / total;
  raw_scores = ops::where(ops::isinf(raw_scores), ops::zeros_like(raw_scores), raw_scores);
  Tensor r2 = raw_scores;
  if (options_.class_aggregation == "uniform_average") {
    r2 = ops::mean(raw_scores);
  } else if (options_.class_aggregation == "variance_weighted_average") {
    r2 = ops::sum(total * raw_scores) / ops::sum(total);
  }
  if (options_.num_regressors != 0) {
    const double n = num_samples_.value().item<double>();
    const double p = static_cast<double>(options_.num_regressors);
    // Keras warns and falls back to the plain score when p >= n - 1.
    if (p < n - 1) r2 = 1.0 - (1.0 - r2) * (n - 1.0) / (n - p - 1.0);
  }
  return r2;
}

Config R2Score::get_config() const {
  Config config = Metric::get_config();
  config["class_aggregation"] = options_.class_aggregation ? Config(*options_.class_aggregation) : Config(nullptr);
  config["num_regressors"] = options_.num_regressors;
  return config;
}

}  // namespace keras::metrics
