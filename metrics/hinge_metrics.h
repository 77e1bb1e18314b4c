#pragma once
#include <keras/metrics/reduction_metrics.h>

#include <string>

namespace keras::metrics {

/// keras.metrics.Hinge: the mean of mean(maximum(1 - y_true * y_pred, 0)); 0/1 labels become -1/1.
class Hinge : public MeanMetricWrapper {
 public:
  explicit Hinge(MetricOptions options = {});
  std::string class_name() const override { return "Hinge"; }
};

/// keras.metrics.SquaredHinge: the mean of mean(square(maximum(1 - y_true * y_pred, 0))).
class SquaredHinge : public MeanMetricWrapper {
 public:
  explicit SquaredHinge(MetricOptions options = {});
  std::string class_name() const override { return "SquaredHinge"; }
};

/// keras.metrics.CategoricalHinge: the mean of maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0).
class CategoricalHinge : public MeanMetricWrapper {
 public:
  explicit CategoricalHinge(MetricOptions options = {});
  std::string class_name() const override { return "CategoricalHinge"; }
};

}  // namespace keras::metrics
