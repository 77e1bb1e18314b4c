#pragma once
#include <keras/core/tensor.h>
#include <keras/core/variable.h>

#include <optional>
#include <utility>
#include <vector>

/// Helpers shared by the metrics (after keras/src/metrics/metrics_utils.py); not part of keras.metrics.
namespace keras::metrics::detail {

/// Keras's NEG_INF: the threshold of Precision/Recall with top_k, and the value top_k filtering gives.
inline constexpr double NEG_INF = -1e10;
/// backend.epsilon().
inline constexpr double EPSILON = 1e-7;

/// Keras's squeeze_or_expand_to_same_rank: when the ranks differ by one and the longer one ends in 1,
/// squeezes it (or expands a rank-1 other when expand_rank_1).
std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2, bool expand_rank_1 = true);
/// ops.divide_no_nan: x1 / x2, and 0 where x2 is 0.
Tensor divide_no_nan(const Tensor& x1, const Tensor& x2);
/// Keras's reduce_to_samplewise_values: (per-sample values, per-sample weights or undefined),
/// reducing inner axes with the mean (`mean`) or the sum.
std::pair<Tensor, Tensor> reduce_to_samplewise_values(const Tensor& values, const Tensor& sample_weight, bool mean,
                                                      DType dtype);
/// ops.in_top_k: whether each target's prediction is among the k largest of its row (ties count in).
Tensor in_top_k(const Tensor& targets, const Tensor& predictions, int64_t k);
/// Keeps the k largest values of the last axis (lower index first among ties, as top_k) and sets the rest to NEG_INF.
Tensor filter_top_k(const Tensor& x, int64_t k);
/// Whether thresholds are i / (n - 1) for i in [0, n) within Keras's tolerance (n >= 3).
bool is_evenly_distributed_thresholds(const std::vector<double>& thresholds);

/// The confusion-matrix variables to update; an undefined Variable is not updated.
struct ConfusionMatrixVariables {
  Variable true_positives = {};
  Variable false_positives = {};
  Variable true_negatives = {};
  Variable false_negatives = {};
};

struct ConfusionMatrixOptions {
  std::vector<double> thresholds = {};
  std::optional<int64_t> top_k = {};
  std::optional<int64_t> class_id = {};
  Tensor sample_weight = {};
  bool multi_label = false;
  Tensor label_weights = {};
  bool thresholds_distributed_evenly = false;
};

/// Keras's update_confusion_matrix_variables: adds, per threshold, the (weighted) counts of
/// y_true && y_pred > t (tp), !y_true && y_pred > t (fp), and the complements (fn, tn).
/// Evenly distributed thresholds count a prediction p (clipped to [0, 1]) at threshold i when
/// ceil(p * (n - 1)) - 1 >= i, as Keras's bucketed path does.
void update_confusion_matrix_variables(const ConfusionMatrixVariables& variables, const Tensor& y_true,
                                       const Tensor& y_pred, const ConfusionMatrixOptions& options);

}  // namespace keras::metrics::detail
