#pragma once
#include <keras/metrics/reduction_metrics.h>

#include <string>

namespace keras::metrics {

/// keras.metrics.accuracy: per sample, the fraction of y_pred equal to y_true along the last axis.
Tensor accuracy(const Tensor& y_true, const Tensor& y_pred);
/// keras.metrics.binary_accuracy: y_pred > threshold compared with y_true, averaged over the last axis.
Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);
/// keras.metrics.categorical_accuracy: argmax(y_true) == argmax(y_pred), one-hot y_true.
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
/// keras.metrics.sparse_categorical_accuracy: y_true (integer labels, (batch,) or (batch, 1)) == argmax(y_pred).
Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
/// keras.metrics.top_k_categorical_accuracy: whether argmax(y_true) is among the k largest of y_pred.
Tensor top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k = 5);
/// keras.metrics.sparse_top_k_categorical_accuracy: whether label y_true is among the k largest of y_pred.
Tensor sparse_top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k = 5);

/// keras.metrics.Accuracy: how often y_pred equals y_true ("accuracy").
class Accuracy : public MeanMetricWrapper {
 public:
  explicit Accuracy(MetricOptions options = {});
  std::string class_name() const override { return "Accuracy"; }
};

struct BinaryAccuracyOptions {
  std::string name = {};  // empty: "binary_accuracy"
  DType dtype = DType::float32;
  double threshold = 0.5;
};

/// keras.metrics.BinaryAccuracy: how often y_pred > threshold matches binary y_true.
class BinaryAccuracy : public MeanMetricWrapper {
 public:
  explicit BinaryAccuracy(BinaryAccuracyOptions options = {});
  std::string class_name() const override { return "BinaryAccuracy"; }
  Config get_config() const override;

 private:
  double threshold_;
};

/// keras.metrics.CategoricalAccuracy: how often argmax(y_pred) matches one-hot y_true.
class CategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit CategoricalAccuracy(MetricOptions options = {});
  std::string class_name() const override { return "CategoricalAccuracy"; }
};

/// keras.metrics.SparseCategoricalAccuracy: how often argmax(y_pred) matches integer y_true.
class SparseCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit SparseCategoricalAccuracy(MetricOptions options = {});
  std::string class_name() const override { return "SparseCategoricalAccuracy"; }
};

struct TopKCategoricalAccuracyOptions {
  int64_t k = 5;
  std::string name = {};  // empty: "top_k_categorical_accuracy" ("sparse_top_k_..." for the sparse one)
  DType dtype = DType::float32;
};

/// keras.metrics.TopKCategoricalAccuracy: how often the one-hot target is among the k largest predictions.
class TopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit TopKCategoricalAccuracy(TopKCategoricalAccuracyOptions options = {});
  std::string class_name() const override { return "TopKCategoricalAccuracy"; }
  Config get_config() const override;

 private:
  int64_t k_;
};

/// keras.metrics.SparseTopKCategoricalAccuracy: how often the integer target is among the k largest predictions.
class SparseTopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit SparseTopKCategoricalAccuracy(TopKCategoricalAccuracyOptions options = {});
  std::string class_name() const override { return "SparseTopKCategoricalAccuracy"; }
  Config get_config() const override;

 private:
  int64_t k_;
};

}  // namespace keras::metrics
