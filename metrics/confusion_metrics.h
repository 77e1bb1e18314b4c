#pragma once
#include <keras/metrics/metric.h>

#include <optional>
#include <string>
#include <vector>

namespace keras::metrics {

struct ConfusionCountOptions {
  /// Values in [0, 1]; a prediction counts as positive above a threshold. Empty: None (0.5).
  /// One result per threshold (a scalar for one).
  std::vector<double> thresholds = {};
  std::string name = {};  // empty: "true_positives", ... made unique ("_1", "_2") as Keras's auto_name
  DType dtype = DType::float32;
};

/// The base of TruePositives, FalsePositives, TrueNegatives and FalseNegatives: a weighted count
/// per threshold (state `accumulator`).
class ConfusionMatrixConditionCount : public Metric {
 public:
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  Tensor result() const override;
  Config get_config() const override;

 protected:
  ConfusionMatrixConditionCount(const std::string& condition, const ConfusionCountOptions& options);

 private:
  std::string condition_;  // "tp", "fp", "tn" or "fn"
  std::vector<double> init_thresholds_;
  std::vector<double> thresholds_;
  bool evenly_;
  Variable accumulator_;
};

/// keras.metrics.TruePositives: the (weighted) number of y_true && y_pred > threshold.
class TruePositives : public ConfusionMatrixConditionCount {
 public:
  explicit TruePositives(ConfusionCountOptions options = {});
  std::string class_name() const override { return "TruePositives"; }
};

/// keras.metrics.FalsePositives: the (weighted) number of !y_true && y_pred > threshold.
class FalsePositives : public ConfusionMatrixConditionCount {
 public:
  explicit FalsePositives(ConfusionCountOptions options = {});
  std::string class_name() const override { return "FalsePositives"; }
};

/// keras.metrics.TrueNegatives: the (weighted) number of !y_true && y_pred <= threshold.
class TrueNegatives : public ConfusionMatrixConditionCount {
 public:
  explicit TrueNegatives(ConfusionCountOptions options = {});
  std::string class_name() const override { return "TrueNegatives"; }
};

/// keras.metrics.FalseNegatives: the (weighted) number of y_true && y_pred <= threshold.
class FalseNegatives : public ConfusionMatrixConditionCount {
 public:
  explicit FalseNegatives(ConfusionCountOptions options = {});
  std::string class_name() const override { return "FalseNegatives"; }
};

struct PrecisionOptions {
  /// Values in [0, 1]; empty: None (0.5, or no threshold with top_k). One result per threshold.
  std::vector<double> thresholds = {};
  /// Only the k largest predictions of each row count as predicted positive.
  std::optional<int64_t> top_k = {};
  /// Only this class (the index on the last axis) counts: a binary metric of it.
  std::optional<int64_t> class_id = {};
  std::string name = {};  // empty: "precision" ("recall"), made unique as Keras's auto_name
  DType dtype = DType::float32;
};

/// keras.metrics.Precision: true_positives / (true_positives + false_positives).
class Precision : public Metric {
 public:
  explicit Precision(PrecisionOptions options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  Tensor result() const override;
  std::string class_name() const override { return "Precision"; }
  Config get_config() const override;

 private:
  PrecisionOptions options_;
  std::vector<double> thresholds_;
  bool evenly_;
  Variable true_positives_;
  Variable false_positives_;
};

using RecallOptions = PrecisionOptions;

/// keras.metrics.Recall: true_positives / (true_positives + false_negatives).
class Recall : public Metric {
 public:
  explicit Recall(RecallOptions options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  Tensor result() const override;
  std::string class_name() const override { return "Recall"; }
  Config get_config() const override;

 private:
  RecallOptions options_;
  std::vector<double> thresholds_;
  bool evenly_;
  Variable true_positives_;
  Variable false_negatives_;
};

struct AUCOptions {
  int64_t num_thresholds = 200;  // > 1; ignored when `thresholds` is given
  std::string curve = "ROC";     // "ROC" or "PR"
  std::string summation_method = "interpolation";  // "interpolation", "minoring" or "majoring"
  std::string name = {};  // empty: "auc", made unique as Keras's auto_name
  DType dtype = DType::float32;
  /// Thresholds in [0, 1] instead of num_thresholds evenly spaced ones; -epsilon and 1 + epsilon are added.
  std::vector<double> thresholds = {};
  /// One AUC per label of (batch, labels) data, averaged (weighted by label_weights when given).
  bool multi_label = false;
  std::optional<int64_t> num_labels = {};  // with multi_label: else the state is built at the first update
  std::vector<double> label_weights = {};  // empty: None
  bool from_logits = false;                // y_pred are logits: sigmoid first
};

/// keras.metrics.AUC: the area under the ROC or precision-recall curve, from confusion counts at
/// num_thresholds thresholds (Keras's Riemann sums; interpolation for PR after Davis & Goadrich).
class AUC : public Metric {
 public:
  explicit AUC(AUCOptions options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  Tensor result() const override;
  std::string class_name() const override { return "AUC"; }
  Config get_config() const override;
  /// The thresholds used, with the end points -epsilon and 1 + epsilon.
  const std::vector<double>& thresholds() const { return thresholds_; }

 private:
  void build(int64_t num_labels);
  Tensor interpolate_pr_auc() const;
  Tensor average_over_labels(const Tensor& by_threshold) const;

  AUCOptions options_;
  int64_t num_thresholds_;
  bool init_from_thresholds_;
  bool evenly_;
  std::vector<double> thresholds_;
  Variable true_positives_;  // (thresholds,) or (thresholds, labels)
  Variable false_positives_;
  Variable true_negatives_;
  Variable false_negatives_;
};

}  // namespace keras::metrics
