#pragma once
#include <keras/metrics/reduction_metrics.h>

#include <string>

namespace keras::metrics {

/// keras.metrics.KLDivergence: the mean of sum(y_true * log(y_true / y_pred)).
class KLDivergence : public MeanMetricWrapper {
 public:
  explicit KLDivergence(MetricOptions options = {});
  std::string class_name() const override { return "KLDivergence"; }
};

/// keras.metrics.Poisson: the mean of y_pred - y_true * log(y_pred).
class Poisson : public MeanMetricWrapper {
 public:
  explicit Poisson(MetricOptions options = {});
  std::string class_name() const override { return "Poisson"; }
};

struct BinaryCrossentropyOptions {
  std::string name = {};  // empty: "binary_crossentropy"
  DType dtype = DType::float32;
  bool from_logits = false;
  double label_smoothing = 0.0;
};

/// keras.metrics.BinaryCrossentropy: the mean binary crossentropy of y_pred against 0/1 labels.
class BinaryCrossentropy : public MeanMetricWrapper {
 public:
  explicit BinaryCrossentropy(BinaryCrossentropyOptions options = {});
  std::string class_name() const override { return "BinaryCrossentropy"; }
  Config get_config() const override;

 private:
  BinaryCrossentropyOptions options_;
};

struct CategoricalCrossentropyOptions {
  std::string name = {};  // empty: "categorical_crossentropy"
  DType dtype = DType::float32;
  bool from_logits = false;
  double label_smoothing = 0.0;
  int64_t axis = -1;
};

/// keras.metrics.CategoricalCrossentropy: the mean crossentropy of y_pred against one-hot labels.
class CategoricalCrossentropy : public MeanMetricWrapper {
 public:
  explicit CategoricalCrossentropy(CategoricalCrossentropyOptions options = {});
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  Config get_config() const override;

 private:
  CategoricalCrossentropyOptions options_;
};

struct SparseCategoricalCrossentropyOptions {
  std::string name = {};  // empty: "sparse_categorical_crossentropy"
  DType dtype = DType::float32;
  bool from_logits = false;
  int64_t axis = -1;
};

/// keras.metrics.SparseCategoricalCrossentropy: the mean crossentropy of y_pred against integer labels.
class SparseCategoricalCrossentropy : public MeanMetricWrapper {
 public:
  explicit SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options = {});
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  Config get_config() const override;

 private:
  SparseCategoricalCrossentropyOptions options_;
};

}  // namespace keras::metrics
