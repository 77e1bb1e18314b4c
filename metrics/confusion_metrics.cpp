#include <keras/metrics/confusion_metrics.h>

#include <keras/core/ops.h>
#include <keras/metrics/metrics_utils.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace keras::metrics {

namespace {

std::string list_str(const std::vector<double>& values) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < values.size(); ++i) os << (i ? ", " : "") << values[i];
  os << "]";
  return os.str();
}

// Keras's parse_init_thresholds: checks the range, and gives the default when none are given.
std::vector<double> parse_init_thresholds(const std::vector<double>& thresholds, double default_threshold) {
  std::vector<double> invalid;
  for (double t : thresholds) {
    if (!(t >= 0.0 && t <= 1.0)) invalid.push_back(t);
  }
  if (!invalid.empty()) throw ValueError("Threshold values must be in [0, 1]. Received: " + list_str(invalid));
  return thresholds.empty() ? std::vector<double>{default_threshold} : thresholds;
}

// A threshold list as Keras's config holds it: None, one number, or a list.
Config thresholds_config(const std::vector<double>& thresholds) {
  if (thresholds.empty()) return nullptr;
  if (thresholds.size() == 1) return thresholds[0];
  return thresholds;
}

Config optional_config(const std::optional<int64_t>& value) { return value ? Config(*value) : Config(nullptr); }

std::string default_name(const std::string& name, const std::string& base) {
  return name.empty() ? Metric::unique_name(base) : name;
}

// One result per threshold; a scalar for one threshold.
Tensor per_threshold(const Tensor& values, size_t num_thresholds) {
  return num_thresholds == 1 ? ops::reshape(values, Shape{}) : values;
}

// The first n - 1 and the last n - 1 entries along axis 0.
Tensor head(const Tensor& x, int64_t n) { return ops::strided_slice(x, {0}, {n - 1}); }
Tensor tail(const Tensor& x, int64_t n) { return ops::strided_slice(x, {1}, {n}); }

}  // namespace

ConfusionMatrixConditionCount::ConfusionMatrixConditionCount(const std::string& condition,
                                                             const ConfusionCountOptions& options)
    : Metric("", {options.name, options.dtype}),
      condition_(condition),
      init_thresholds_(options.thresholds),
      thresholds_(parse_init_thresholds(options.thresholds, 0.5)),
      evenly_(detail::is_evenly_distributed_thresholds(thresholds_)) {
  accumulator_ = add_variable(Shape{static_cast<int64_t>(thresholds_.size())}, "accumulator", dtype());
}

void ConfusionMatrixConditionCount::update_state(const Tensor& y_true, const Tensor& y_pred,
                                                 const Tensor& sample_weight) {
  detail::ConfusionMatrixVariables variables;
  if (condition_ == "tp") variables.true_positives = accumulator_;
  if (condition_ == "fp") variables.false_positives = accumulator_;
  if (condition_ == "tn") variables.true_negatives = accumulator_;
  if (condition_ == "fn") variables.false_negatives = accumulator_;
  detail::update_confusion_matrix_variables(
      variables, y_true, y_pred,
      {.thresholds = thresholds_, .sample_weight = sample_weight, .thresholds_distributed_evenly = evenly_});
}

Tensor ConfusionMatrixConditionCount::result() const {
  return per_threshold(accumulator_.value(), thresholds_.size());
}

Config ConfusionMatrixConditionCount::get_config() const {
  Config config = Metric::get_config();
  config["thresholds"] = thresholds_config(init_thresholds_);
  return config;
}

TruePositives::TruePositives(ConfusionCountOptions options)
    : ConfusionMatrixConditionCount("tp", {options.thresholds, default_name(options.name, "true_positives"), options.dtype}) {}
FalsePositives::FalsePositives(ConfusionCountOptions options)
    : ConfusionMatrixConditionCount("fp", {options.thresholds, default_name(options.name, "false_positives"), options.dtype}) {}
TrueNegatives::TrueNegatives(ConfusionCountOptions options)
    : ConfusionMatrixConditionCount("tn", {options.thresholds, default_name(options.name, "true_negatives"), options.dtype}) {}
FalseNegatives::FalseNegatives(ConfusionCountOptions options)
    : ConfusionMatrixConditionCount("fn", {options.thresholds, default_name(options.name, "false_negatives"), options.dtype}) {}

namespace {

void check_top_k(const std::optional<int64_t>& top_k, const std::string& who) {
  if (top_k && *top_k < 1) throw ValueError(who + ": top_k must be a positive integer, got " + std::to_string(*top_k));
}

}  // namespace

Precision::Precision(PrecisionOptions options)
    : Metric(default_name(options.name, "precision"), {options.name, options.dtype}),
      options_(std::move(options)),
      thresholds_(parse_init_thresholds(options_.thresholds, options_.top_k ? detail::NEG_INF : 0.5)),
      evenly_(detail::is_evenly_distributed_thresholds(thresholds_)) {
  check_top_k(options_.top_k, "Precision");
  const Shape shape{static_cast<int64_t>(thresholds_.size())};
  true_positives_ = add_variable(shape, "true_positives", dtype());
  false_positives_ = add_variable(shape, "false_positives", dtype());
}

void Precision::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  detail::update_confusion_matrix_variables(
      {.true_positives = true_positives_, .false_positives = false_positives_}, y_true, y_pred,
      {.thresholds = thresholds_, .top_k = options_.top_k, .class_id = options_.class_id,
       .sample_weight = sample_weight, .thresholds_distributed_evenly = evenly_});
}

Tensor Precision::result() const {
  const Tensor tp = true_positives_.value();
  return per_threshold(detail::divide_no_nan(tp, tp + false_positives_.value()), thresholds_.size());
}

Config Precision::get_config() const {
  Config config = Metric::get_config();
  config["thresholds"] = thresholds_config(options_.thresholds);
  config["top_k"] = optional_config(options_.top_k);
  config["class_id"] = optional_config(options_.class_id);
  return config;
}

Recall::Recall(RecallOptions options)
    : Metric(default_name(options.name, "recall"), {options.name, options.dtype}),
      options_(std::move(options)),
      thresholds_(parse_init_thresholds(options_.thresholds, options_.top_k ? detail::NEG_INF : 0.5)),
      evenly_(detail::is_evenly_distributed_thresholds(thresholds_)) {
  check_top_k(options_.top_k, "Recall");
  const Shape shape{static_cast<int64_t>(thresholds_.size())};
  true_positives_ = add_variable(shape, "true_positives", dtype());
  false_negatives_ = add_variable(shape, "false_negatives", dtype());
}

void Recall::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  detail::update_confusion_matrix_variables(
      {.true_positives = true_positives_, .false_negatives = false_negatives_}, y_true, y_pred,
      {.thresholds = thresholds_, .top_k = options_.top_k, .class_id = options_.class_id,
       .sample_weight = sample_weight, .thresholds_distributed_evenly = evenly_});
}

Tensor Recall::result() const {
  const Tensor tp = true_positives_.value();
  return per_threshold(detail::divide_no_nan(tp, tp + false_negatives_.value()), thresholds_.size());
}

Config Recall::get_config() const {
  Config config = Metric::get_config();
  config["thresholds"] = thresholds_config(options_.thresholds);
  config["top_k"] = optional_config(options_.top_k);
  config["class_id"] = optional_config(options_.class_id);
  return config;
}

namespace {

std::string parse_curve(const std::string& curve) {
  if (curve == "ROC" || curve == "roc") return "ROC";
  if (curve == "PR" || curve == "pr") return "PR";
  throw ValueError("Invalid AUC curve value: \"" + curve + "\". Expected values are [\"PR\", \"ROC\"]");
}

std::string parse_summation_method(const std::string& method) {
  for (const char* m : {"interpolation", "majoring", "minoring"}) {
    std::string capitalised = m;
    capitalised[0] = static_cast<char>(capitalised[0] - 'a' + 'A');
    if (method == m || method == capitalised) return m;
  }
  throw ValueError("Invalid AUC summation method value: \"" + method +
                   "\". Expected values are [\"interpolation\", \"majoring\", \"minoring\"]");
}

}  // namespace

AUC::AUC(AUCOptions options)
    : Metric(default_name(options.name, "auc"), {options.name, options.dtype}), options_(std::move(options)) {
  options_.curve = parse_curve(options_.curve);
  options_.summation_method = parse_summation_method(options_.summation_method);
  init_from_thresholds_ = !options_.thresholds.empty();
  std::vector<double> inner;
  if (init_from_thresholds_) {
    num_thresholds_ = static_cast<int64_t>(options_.thresholds.size()) + 2;
    inner = options_.thresholds;
    std::sort(inner.begin(), inner.end());
    std::vector<double> with_ends{0.0};
    with_ends.insert(with_ends.end(), inner.begin(), inner.end());
    with_ends.push_back(1.0);
    evenly_ = detail::is_evenly_distributed_thresholds(with_ends);
  } else {
    if (options_.num_thresholds <= 1) {
      throw ValueError("Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=" +
                       std::to_string(options_.num_thresholds));
    }
    num_thresholds_ = options_.num_thresholds;
    for (int64_t i = 0; i < num_thresholds_ - 2; ++i) {
      inner.push_back(static_cast<double>(i + 1) * 1.0 / static_cast<double>(num_thresholds_ - 1));
    }
    evenly_ = true;
  }
  // End points below 0 and above 1, so that predictions of exactly 0 or 1 fall inside.
  thresholds_ = {0.0 - detail::EPSILON};
  thresholds_.insert(thresholds_.end(), inner.begin(), inner.end());
  thresholds_.push_back(1.0 + detail::EPSILON);
  for (double w : options_.label_weights) {
    if (w < 0) throw ValueError("AUC: label_weights must be non-negative, got " + list_str(options_.label_weights));
  }
  true_positives_ = declare_variable("true_positives");
  false_positives_ = declare_variable("false_positives");
  true_negatives_ = declare_variable("true_negatives");
  false_negatives_ = declare_variable("false_negatives");
  if (options_.multi_label) {
    if (options_.num_labels) build(*options_.num_labels);
  } else {
    if (options_.num_labels) throw ValueError("`num_labels` is needed only when `multi_label` is True.");
    build(0);
  }
}

void AUC::build(int64_t num_labels) {
  const Shape shape = options_.multi_label ? Shape{num_thresholds_, num_labels} : Shape{num_thresholds_};
  build_variable(true_positives_, shape);
  build_variable(false_positives_, shape);
  build_variable(true_negatives_, shape);
  build_variable(false_negatives_, shape);
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred_in, const Tensor& sample_weight) {
  if (!true_positives_.has_value()) {
    if (y_pred_in.rank() != 2) {
      throw ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found rank " +
                       std::to_string(y_pred_in.rank()) + ". Full shape received for `y_pred`: " +
                       y_pred_in.shape().str());
    }
    build(y_pred_in.shape()[1]);
  }
  const Tensor y_pred = options_.from_logits ? ops::sigmoid(y_pred_in) : y_pred_in;
  // label_weights weight the flattened labels here; with multi_label they weight the per-label AUCs in result().
  Tensor label_weights;
  if (!options_.multi_label && !options_.label_weights.empty()) {
    label_weights = Tensor::from_vector(options_.label_weights).astype(dtype());
  }
  detail::update_confusion_matrix_variables(
      {true_positives_, false_positives_, true_negatives_, false_negatives_}, y_true, y_pred,
      {.thresholds = thresholds_, .sample_weight = sample_weight, .multi_label = options_.multi_label,
       .label_weights = label_weights, .thresholds_distributed_evenly = evenly_});
}

Tensor AUC::average_over_labels(const Tensor& by_threshold) const {
  if (!options_.multi_label) return ops::sum(by_threshold);
  const Tensor by_label = ops::sum(by_threshold, 0);
  if (options_.label_weights.empty()) return ops::mean(by_label);
  const Tensor weights = Tensor::from_vector(options_.label_weights).astype(dtype());
  return detail::divide_no_nan(ops::sum(by_label * weights), ops::sum(weights));
}

Tensor AUC::interpolate_pr_auc() const {
  // Davis & Goadrich: TP and P = TP + FP vary linearly between thresholds, so precision is
  // integrated in closed form: slope * (dTP + intercept * log(P_B / P_A)) per interval.
  const int64_t n = num_thresholds_;
  const Tensor tp = true_positives_.value();
  const Tensor fn = false_negatives_.value();
  const Tensor dtp = head(tp, n) - tail(tp, n);
  const Tensor p = tp + false_positives_.value();
  const Tensor dp = head(p, n) - tail(p, n);
  const Tensor zero = ops::zeros_like(dp);
  const Tensor prec_slope = detail::divide_no_nan(dtp, ops::maximum(dp, zero));
  const Tensor intercept = tail(tp, n) - prec_slope * tail(p, n);
  const Tensor both_positive = ops::logical_and(ops::greater(head(p, n), zero), ops::greater(tail(p, n), zero));
  const Tensor safe_p_ratio = ops::where(both_positive, detail::divide_no_nan(head(p, n), ops::maximum(tail(p, n), zero)),
                                         ops::ones_like(dp));
  const Tensor increment = detail::divide_no_nan(prec_slope * (dtp + intercept * ops::log(safe_p_ratio)),
                                                 ops::maximum(tail(tp, n) + tail(fn, n), zero));
  return average_over_labels(increment);
}

Tensor AUC::result() const {
  if (!true_positives_.has_value()) {
    throw ValueError("AUC '" + name() + "' with multi_label and no num_labels has no result before its first update_state");
  }
  const bool interpolation = options_.summation_method == "interpolation";
  if (options_.curve == "PR" && interpolation) return interpolate_pr_auc();
  const Tensor tp = true_positives_.value();
  const Tensor recall = detail::divide_no_nan(tp, tp + false_negatives_.value());
  Tensor x, y;
  if (options_.curve == "ROC") {
    x = detail::divide_no_nan(false_positives_.value(), false_positives_.value() + true_negatives_.value());
    y = recall;
  } else {
    x = recall;
    y = detail::divide_no_nan(tp, tp + false_positives_.value());
  }
  const int64_t n = num_thresholds_;
  Tensor heights;
  if (interpolation) {
    heights = (head(y, n) + tail(y, n)) / 2.0;
  } else if (options_.summation_method == "minoring") {
    heights = ops::minimum(head(y, n), tail(y, n));
  } else {
    heights = ops::maximum(head(y, n), tail(y, n));
  }
  return average_over_labels((head(x, n) - tail(x, n)) * heights);
}

Config AUC::get_config() const {
  Config config = Metric::get_config();
  config["num_thresholds"] = num_thresholds_;
  config["curve"] = options_.curve;
  config["summation_method"] = options_.summation_method;
  config["multi_label"] = options_.multi_label;
  config["num_labels"] = optional_config(options_.num_labels);
  config["label_weights"] = options_.label_weights.empty() ? Config(nullptr) : Config(options_.label_weights);
  config["from_logits"] = options_.from_logits;
  // Only explicit thresholds are written (without the end points), as Keras does.
  if (init_from_thresholds_) config["thresholds"] = std::vector<double>(thresholds_.begin() + 1, thresholds_.end() - 1);
  return config;
}

}  // namespace keras::metrics
