#include <keras/metrics/accuracy_metrics.h>

#include <keras/core/ops.h>
#include <keras/metrics/metrics_utils.h>

#include <nlohmann/json.hpp>

namespace keras::metrics {

namespace {

Tensor matches_of(const Tensor& a, const Tensor& b) { return ops::cast(ops::equal(a, b), DType::float32); }

void check_k(int64_t k, const std::string& who) {
  if (k < 1) throw ValueError(who + ": k must be a positive integer, got " + std::to_string(k));
}

}  // namespace

Tensor accuracy(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t, p] = detail::squeeze_or_expand_to_same_rank(ops::cast(y_true, y_pred.dtype()), y_pred);
  return ops::mean(matches_of(t, p), -1);
}

Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold) {
  const auto [t, p] = detail::squeeze_or_expand_to_same_rank(y_true, y_pred);
  const Tensor predicted = ops::cast(ops::greater(p, Tensor::scalar(threshold, p.dtype())), t.dtype());
  return ops::mean(matches_of(t, predicted), -1);
}

Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  Tensor labels = ops::argmax(y_true, -1);
  const Shape original = labels.shape();
  const bool reshape_matches = labels.rank() == y_pred.rank();
  if (reshape_matches) labels = ops::squeeze(labels, std::vector<int64_t>{-1});
  Tensor matches = matches_of(labels, ops::argmax(y_pred, -1));
  return reshape_matches ? ops::reshape(matches, original) : matches;
}

Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  Tensor labels = y_true;
  const Shape original = labels.shape();
  const bool reshape_matches = labels.rank() == y_pred.rank() && labels.rank() > 0 && labels.shape()[-1] == 1;
  if (reshape_matches) labels = ops::squeeze(labels, std::vector<int64_t>{-1});
  Tensor matches = matches_of(labels, ops::cast(ops::argmax(y_pred, -1), labels.dtype()));
  if (reshape_matches) matches = ops::reshape(matches, original);
  if (matches.rank() > 1 && matches.shape()[-1] == 1) matches = ops::squeeze(matches, std::vector<int64_t>{-1});
  return matches;
}

namespace {

// Keras's top-k accuracies flatten to (samples, classes) and give the matches y_true's shape back.
Tensor top_k_matches(const Tensor& labels, const Tensor& y_pred, int64_t k) {
  if (y_pred.rank() < 2) {
    throw ValueError("top-k accuracy needs predictions of shape (batch, ..., classes), got " + y_pred.shape().str());
  }
  const Tensor predictions = y_pred.rank() > 2 ? ops::reshape(y_pred, Shape{-1, y_pred.shape()[-1]}) : y_pred;
  const bool reshape_matches = labels.rank() > 1;
  const Tensor flat = reshape_matches ? ops::reshape(labels, Shape{-1}) : labels;
  const Tensor matches = ops::cast(detail::in_top_k(ops::cast(flat, DType::int32), predictions, k), DType::float32);
  return reshape_matches ? ops::reshape(matches, labels.shape()) : matches;
}

}  // namespace

Tensor top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k) {
  return top_k_matches(ops::argmax(y_true, -1), y_pred, k);
}

Tensor sparse_top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k) {
  return top_k_matches(y_true, y_pred, k);
}

Accuracy::Accuracy(MetricOptions options) : MeanMetricWrapper(accuracy, "accuracy", options) {}

BinaryAccuracy::BinaryAccuracy(BinaryAccuracyOptions options)
    : MeanMetricWrapper([t = options.threshold](const Tensor& y_true, const Tensor& y_pred) {
                          return binary_accuracy(y_true, y_pred, t);
                        },
                        "binary_accuracy", {options.name, options.dtype}),
      threshold_(options.threshold) {
  if (threshold_ <= 0 || threshold_ >= 1) {
    throw ValueError("Invalid value for argument `threshold`. Expected a value in interval (0, 1). Received: threshold=" +
                     std::to_string(threshold_));
  }
}

Config BinaryAccuracy::get_config() const {
  Config config = MeanMetricWrapper::get_config();
  config["threshold"] = threshold_;
  return config;
}

CategoricalAccuracy::CategoricalAccuracy(MetricOptions options)
    : MeanMetricWrapper(categorical_accuracy, "categorical_accuracy", options) {}

SparseCategoricalAccuracy::SparseCategoricalAccuracy(MetricOptions options)
    : MeanMetricWrapper(sparse_categorical_accuracy, "sparse_categorical_accuracy", options) {}

TopKCategoricalAccuracy::TopKCategoricalAccuracy(TopKCategoricalAccuracyOptions options)
    : MeanMetricWrapper([k = options.k](const Tensor& y_true, const Tensor& y_pred) {
                          return top_k_categorical_accuracy(y_true, y_pred, k);
                        },
                        "top_k_categorical_accuracy", {options.name, options.dtype}),
      k_(options.k) {
  check_k(k_, "TopKCategoricalAccuracy");
}

Config TopKCategoricalAccuracy::get_config() const {
  Config config = MeanMetricWrapper::get_config();
  config["k"] = k_;
  return config;
}

SparseTopKCategoricalAccuracy::SparseTopKCategoricalAccuracy(TopKCategoricalAccuracyOptions options)
    : MeanMetricWrapper([k = options.k](const Tensor& y_true, const Tensor& y_pred) {
                          return sparse_top_k_categorical_accuracy(y_true, y_pred, k);
                        },
                        "sparse_top_k_categorical_accuracy", {options.name, options.dtype}),
      k_(options.k) {
  check_k(k_, "SparseTopKCategoricalAccuracy");
}

Config SparseTopKCategoricalAccuracy::get_config() const {
  Config config = MeanMetricWrapper::get_config();
  config["k"] = k_;
  return config;
}

}  // namespace keras::metrics
