#pragma once
#include <keras/metrics/metric.h>

#include <optional>
#include <string>

namespace keras::metrics {

struct FBetaScoreOptions {
  /// nullopt (None: one score per class), "micro", "macro" or "weighted".
  std::optional<std::string> average = {};
  double beta = 1.0;
  /// y_pred > threshold counts as predicted; nullopt: the row's largest value does.
  std::optional<double> threshold = {};
  std::string name = {};  // empty: "fbeta_score"
  DType dtype = DType::float32;
};

/// keras.metrics.FBetaScore: (1 + beta^2) * precision * recall / (beta^2 * precision + recall)
/// over (batch, classes) data; state created at the first update.
class FBetaScore : public Metric {
 public:
  explicit FBetaScore(FBetaScoreOptions options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  Tensor result() const override;
  std::string class_name() const override { return "FBetaScore"; }
  Config get_config() const override;

 protected:
  FBetaScore(const FBetaScoreOptions& options, const std::string& default_name);
  FBetaScoreOptions options_;

 private:
  Variable true_positives_;  // (classes,), or () for "micro"
  Variable false_positives_;
  Variable false_negatives_;
  Variable intermediate_weights_;
};

struct F1ScoreOptions {
  std::optional<std::string> average = {};  // nullopt, "micro", "macro" or "weighted"
  std::optional<double> threshold = {};
  std::string name = {};  // empty: "f1_score"
  DType dtype = DType::float32;
};

/// keras.metrics.F1Score: the harmonic mean of precision and recall (FBetaScore with beta 1).
class F1Score : public FBetaScore {
 public:
  explicit F1Score(F1ScoreOptions options = {});
  std::string class_name() const override { return "F1Score"; }
  Config get_config() const override;
};

}  // namespace keras::metrics
