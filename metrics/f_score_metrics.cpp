#include <keras/metrics/f_score_metrics.h>

#include <keras/core/ops.h>
#include <keras/metrics/metrics_utils.h>

#include <nlohmann/json.hpp>

namespace keras::metrics {

FBetaScore::FBetaScore(FBetaScoreOptions options) : FBetaScore(options, "fbeta_score") {}

FBetaScore::FBetaScore(const FBetaScoreOptions& options, const std::string& default_name)
    : Metric(default_name, {options.name, options.dtype}), options_(options) {
  const auto& average = options_.average;
  if (average && *average != "micro" && *average != "macro" && *average != "weighted") {
    throw ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. "
                     "Received: average=" + *average);
  }
  if (options_.beta <= 0.0) {
    throw ValueError("Invalid `beta` argument value. It should be > 0. Received: beta=" + std::to_string(options_.beta));
  }
  if (options_.threshold && (*options_.threshold > 1.0 || *options_.threshold <= 0.0)) {
    throw ValueError("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: threshold=" +
                     std::to_string(*options_.threshold));
  }
  true_positives_ = declare_variable("true_positives");
  false_positives_ = declare_variable("false_positives");
  false_negatives_ = declare_variable("false_negatives");
  intermediate_weights_ = declare_variable("intermediate_weights");
}

void FBetaScore::update_state(const Tensor& y_true_in, const Tensor& y_pred_in, const Tensor& sample_weight_in) {
  const Tensor y_true = ops::cast(y_true_in, dtype());
  Tensor y_pred = ops::cast(y_pred_in, dtype());
  if (y_true.rank() != 2 || y_pred.rank() != 2) {
    throw ValueError(class_name() + " expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                     "y_pred.shape=" + y_pred.shape().str() + " and y_true.shape=" + y_true.shape().str() + ".");
  }
  const bool micro = options_.average == "micro";
  if (!true_positives_.has_value()) {
    const Shape shape = micro ? Shape{} : Shape{y_pred.shape()[-1]};
    build_variable(true_positives_, shape);
    build_variable(false_positives_, shape);
    build_variable(false_negatives_, shape);
    build_variable(intermediate_weights_, shape);
  }
  if (options_.threshold) {
    y_pred = ops::greater(y_pred, Tensor::scalar(*options_.threshold, dtype()));
  } else {
    // The row's largest value, unless it is 0 (an all-zero row predicts nothing).
    const Tensor threshold = ops::max(y_pred, -1, true);
    y_pred = ops::logical_and(ops::greater_equal(y_pred, threshold),
                              ops::greater(ops::abs(y_pred), Tensor::scalar(1e-9, dtype())));
  }
  y_pred = ops::cast(y_pred, dtype());
  const Tensor sample_weight = sample_weight_in.defined() ? ops::cast(sample_weight_in, dtype()) : Tensor();
  auto weighted_sum = [&](const Tensor& value) {
    const Tensor v = sample_weight.defined() ? value * ops::expand_dims(sample_weight, 1) : value;
    return micro ? ops::sum(v) : ops::sum(v, 0);
  };
  true_positives_.assign(true_positives_.value() + weighted_sum(y_pred * y_true));
  false_positives_.assign(false_positives_.value() + weighted_sum(y_pred * (1.0 - y_true)));
  false_negatives_.assign(false_negatives_.value() + weighted_sum((1.0 - y_pred) * y_true));
  intermediate_weights_.assign(intermediate_weights_.value() + weighted_sum(y_true));
}

Tensor FBetaScore::result() const {
  if (!true_positives_.has_value()) {
    throw ValueError(class_name() + " '" + name() + "' has no result before its first update_state");
  }
  const double eps = detail::EPSILON;
  const Tensor tp = true_positives_.value();
  const Tensor precision = tp / (tp + false_positives_.value() + eps);
  const Tensor recall = tp / (tp + false_negatives_.value() + eps);
  const double b2 = options_.beta * options_.beta;
  Tensor score = (precision * recall) / (b2 * precision + recall + eps) * (1.0 + b2);
  if (options_.average == "weighted") {
    const Tensor w = intermediate_weights_.value();
    score = ops::sum(score * (w / (ops::sum(w) + eps)));
  } else if (options_.average) {
    score = ops::mean(score);
  }
  return score;
}

Config FBetaScore::get_config() const {
  Config config = Metric::get_config();
  config["average"] = options_.average ? Config(*options_.average) : Config(nullptr);
  config["beta"] = options_.beta;
  config["threshold"] = options_.threshold ? Config(*options_.threshold) : Config(nullptr);
  return config;
}

F1Score::F1Score(F1ScoreOptions options)
    : FBetaScore({options.average, 1.0, options.threshold, options.name, options.dtype}, "f1_score") {}

Config F1Score::get_config() const {
  Config config = FBetaScore::get_config();
  config.erase("beta");
  return config;
}

}  // namespace keras::metrics
