#include <keras/metrics/metrics_utils.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <tuple>

namespace keras::metrics::detail {

std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2, bool expand_rank_1) {
  const int64_t r1 = x1.rank(), r2 = x2.rank();
  Tensor a = x1, b = x2;
  if (r1 == r2 + 1 && x1.shape()[-1] == 1) {
    if (r2 == 1 && expand_rank_1) {
      b = ops::expand_dims(b, -1);
    } else {
      a = ops::squeeze(a, std::vector<int64_t>{-1});
    }
  }
  if (r2 == r1 + 1 && x2.shape()[-1] == 1) {
    if (r1 == 1 && expand_rank_1) {
      a = ops::expand_dims(a, -1);
    } else {
      b = ops::squeeze(b, std::vector<int64_t>{-1});
    }
  }
  return {a, b};
}

namespace {

// x1 / x2 for one-element host tensors of one floating dtype, 0 where x2 is 0: the form every
// Mean-like metric's result() takes each step, done in T on the host instead of six ops.
template <class T>
Tensor divide_no_nan_scalar(const Tensor& x1, const Tensor& x2) {
  const T d = *x2.data<T>();
  const T q = d == T{0} ? T{0} : *x1.data<T>() / d;
  return Tensor::from_data(&q, x1.shape(), x1.dtype());
}

}  // namespace

Tensor divide_no_nan(const Tensor& x1, const Tensor& x2) {
  if (x1.defined() && x2.defined() && x1.size() == 1 && x1.shape() == x2.shape() && x1.dtype() == x2.dtype() &&
      x1.device().is_cpu() && x2.device().is_cpu() && !autograd::tape_active()) {
    if (x1.dtype() == DType::float32) return divide_no_nan_scalar<float>(x1, x2);
    if (x1.dtype() == DType::float64) return divide_no_nan_scalar<double>(x1, x2);
  }
  const Tensor is_zero = ops::equal(x2, ops::zeros_like(x2));
  const Tensor safe = ops::where(is_zero, ops::ones_like(x2), x2);
  const Tensor q = ops::divide(x1, safe);
  return ops::where(is_zero, ops::zeros_like(q), q);
}

namespace {

std::vector<int64_t> axes_from(int64_t first, int64_t rank) {
  std::vector<int64_t> axes(static_cast<size_t>(std::max<int64_t>(rank - first, 0)));
  std::iota(axes.begin(), axes.end(), first);
  return axes;
}

Tensor reduce(const Tensor& x, const std::vector<int64_t>& axes, bool mean) {
  return mean ? ops::mean(x, ops::Axes(axes)) : ops::sum(x, ops::Axes(axes));
}

}  // namespace

std::pair<Tensor, Tensor> reduce_to_samplewise_values(const Tensor& values_in, const Tensor& sample_weight_in,
                                                      bool mean, DType dtype) {
  Tensor values = ops::cast(values_in, dtype);
  Tensor sample_weight;
  if (sample_weight_in.defined()) {
    std::tie(values, sample_weight) = squeeze_or_expand_to_same_rank(values, ops::cast(sample_weight_in, dtype));
    const int64_t weight_ndim = sample_weight.rank();
    if (values.rank() > weight_ndim) values = reduce(values, axes_from(weight_ndim, values.rank()), mean);
    // Broadcasting the weight changes nothing in the product, but it does change the weight
    // reduction below (a scalar weight counts once per sample).
    sample_weight = ops::broadcast_to(sample_weight, values.shape());
    values = values * sample_weight;
    if (weight_ndim > 1) sample_weight = reduce(sample_weight, axes_from(1, weight_ndim), mean);
  }
  if (values.rank() > 1) values = reduce(values, axes_from(1, values.rank()), mean);
  return {values, sample_weight};
}

Tensor in_top_k(const Tensor& targets, const Tensor& predictions, int64_t k) {
  if (predictions.rank() != 2 || targets.rank() != 1 || targets.shape()[0] != predictions.shape()[0]) {
    throw ValueError("in_top_k: expected targets of shape (batch,) and predictions of shape (batch, classes), got " +
                     targets.shape().str() + " and " + predictions.shape().str());
  }
  const Tensor index = ops::expand_dims(ops::cast(targets, DType::int32), -1);
  const Tensor target_value = ops::take_along_axis(predictions, index, -1);
  // The target is in the top k when fewer than k predictions are strictly larger than it.
  const Tensor larger = ops::sum(ops::cast(ops::greater(predictions, target_value), DType::int32), -1);
  return ops::less(larger, Tensor::scalar(static_cast<int32_t>(std::min<int64_t>(k, INT32_MAX))));
}

Tensor filter_top_k(const Tensor& x, int64_t k) {
  if (x.rank() < 1) throw ValueError("top_k filtering needs predictions of rank >= 1, got shape " + x.shape().str());
  const int64_t n = x.shape()[-1];
  const Tensor xi = ops::expand_dims(x, -1);  // [..., i, j] compares x_j with x_i
  const Tensor xj = ops::expand_dims(x, -2);
  const Tensor idx = ops::arange(0.0, static_cast<double>(n), 1.0, DType::int32);
  const Tensor lower_index = ops::less(ops::expand_dims(idx, 0), ops::expand_dims(idx, 1));  // j < i
  // Rank of x_i: the larger values, and the equal values at lower indices (top_k's tie order).
  const Tensor ahead = ops::logical_or(ops::greater(xj, xi), ops::logical_and(ops::equal(xj, xi), lower_index));
  const Tensor rank = ops::sum(ops::cast(ahead, DType::int32), -1);
  const Tensor mask = ops::cast(ops::less(rank, Tensor::scalar(static_cast<int32_t>(std::min<int64_t>(k, INT32_MAX)))),
                                x.dtype());
  return x * mask + (1.0 - mask) * NEG_INF;
}

bool is_evenly_distributed_thresholds(const std::vector<double>& thresholds) {
  const size_t n = thresholds.size();
  if (n < 3) return false;
  for (size_t i = 0; i < n; ++i) {
    // np.allclose(thresholds, arange(n, float32) / (n - 1), atol=epsilon), rtol 1e-5.
    const double even = static_cast<double>(static_cast<float>(i) / static_cast<float>(n - 1));
    if (!(std::fabs(thresholds[i] - even) <= EPSILON + 1e-5 * std::fabs(even))) return false;
  }
  return true;
}

void update_confusion_matrix_variables(const ConfusionMatrixVariables& variables, const Tensor& y_true_in,
                                       const Tensor& y_pred_in, const ConfusionMatrixOptions& options) {
  if (options.multi_label && options.label_weights.defined()) {
    throw ValueError("`label_weights` for multilabel data should be handled outside of "
                     "`update_confusion_matrix_variables` when `multi_label` is True.");
  }
  const Variable* first = nullptr;
  for (const Variable* v : {&variables.true_positives, &variables.false_positives, &variables.true_negatives,
                            &variables.false_negatives}) {
    if (v->defined() && first == nullptr) first = v;
  }
  if (first == nullptr) throw ValueError("Please provide at least one valid confusion matrix variable to update.");
  const DType dtype = first->dtype();
  const std::vector<double>& t = options.thresholds;
  if (t.empty()) throw ValueError("update_confusion_matrix_variables: no thresholds");
  const int64_t num_thresholds = static_cast<int64_t>(t.size());
  const bool evenly = options.thresholds_distributed_evenly;
  const bool thresholds_with_epsilon = evenly && (t.front() < 0.0 || t.back() > 1.0);

  Tensor y_true = ops::cast(y_true_in, dtype);
  Tensor y_pred = ops::cast(y_pred_in, dtype);
  std::tie(y_pred, y_true) = squeeze_or_expand_to_same_rank(y_pred, y_true);
  Tensor sample_weight;
  if (options.sample_weight.defined()) {
    sample_weight = ops::expand_dims(ops::cast(options.sample_weight, dtype), -1);
    sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, false).second;
  }
  if (options.top_k) y_pred = filter_top_k(y_pred, *options.top_k);
  if (options.class_id) {
    if (y_pred.rank() < 2) {
      throw ValueError("When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes), "
                       "found shape: " + y_pred.shape().str());
    }
    const int64_t num_classes = y_pred.shape()[-1];
    const int64_t id = *options.class_id;
    if (id < 0 || id >= num_classes) {
      throw ValueError("class_id " + std::to_string(id) + " is out of range for predictions of shape " +
                       y_pred.shape().str() + ": expected 0 <= class_id < " + std::to_string(num_classes));
    }
    // y[..., class_id, None]: keeps the axis, to match sample_weight.
    if (y_true.rank() != y_pred.rank()) {
      throw ValueError("y_true of shape " + y_true_in.shape().str() + " does not match y_pred of shape " +
                       y_pred_in.shape().str());
    }
    const Tensor index = Tensor::from_vector(std::vector<int32_t>{static_cast<int32_t>(id)});
    y_pred = ops::take(y_pred, index, -1);
    y_true = ops::take(y_true, index, -1);
  }
  if (y_true.shape() != y_pred.shape()) {
    throw ValueError("Confusion metrics need y_true and y_pred of the same shape, got y_true " +
                     y_true_in.shape().str() + " and y_pred " + y_pred_in.shape().str());
  }

  Tensor weights;
  if (sample_weight.defined()) weights = ops::broadcast_to(sample_weight, y_pred.shape());
  if (options.label_weights.defined() && !options.multi_label) {
    const Tensor lw = ops::broadcast_to(ops::expand_dims(ops::cast(options.label_weights, dtype), 0), y_pred.shape());
    weights = weights.defined() ? weights * lw : lw;
  }
  const Tensor label = ops::cast(ops::cast(y_true, DType::bool_), dtype);
  Tensor true_w = weights.defined() ? label * weights : label;
  Tensor false_w = weights.defined() ? (1.0 - label) * weights : 1.0 - label;
  Tensor pred = y_pred;
  if (options.multi_label) {
    if (pred.rank() != 2) {
      throw ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found shape " + pred.shape().str());
    }
  } else {
    pred = ops::reshape(pred, Shape{-1, 1});
    true_w = ops::reshape(true_w, Shape{-1, 1});
    false_w = ops::reshape(false_w, Shape{-1, 1});
  }
  const int64_t rows = pred.shape()[0], labels = pred.shape()[1];

  Tensor compare_to;  // (thresholds, 1, 1), against the predictions or their bucket indices
  if (evenly) {
    pred = ops::ceil(ops::clip(pred, 0.0, 1.0) * static_cast<double>(num_thresholds - 1)) - 1.0;
    // With the epsilon end thresholds every prediction in [0, 1] passes the first one.
    if (thresholds_with_epsilon) pred = ops::relu(pred);
    compare_to = ops::reshape(ops::arange(0.0, static_cast<double>(num_thresholds), 1.0, dtype), Shape{num_thresholds, 1, 1});
  } else {
    compare_to = ops::reshape(ops::cast(Tensor::from_vector(t), dtype), Shape{num_thresholds, 1, 1});
  }

  Tensor tp = ops::zeros(Shape{num_thresholds, labels}, dtype);
  Tensor fp = ops::zeros(Shape{num_thresholds, labels}, dtype);
  // Chunks of rows bound the (thresholds, rows, labels) comparison to a few million elements.
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 22) / std::max<int64_t>(1, num_thresholds * labels));
  for (int64_t start = 0; start < rows; start += chunk) {
    const int64_t n = std::min(chunk, rows - start);
    const Tensor p = ops::expand_dims(ops::slice(pred, {start, 0}, {n, labels}), 0);
    const Tensor pos = ops::cast(evenly ? ops::greater_equal(p, compare_to) : ops::greater(p, compare_to), dtype);
    tp = tp + ops::sum(pos * ops::expand_dims(ops::slice(true_w, {start, 0}, {n, labels}), 0), 1);
    fp = fp + ops::sum(pos * ops::expand_dims(ops::slice(false_w, {start, 0}, {n, labels}), 0), 1);
  }
  Tensor fn = ops::sum(true_w, 0) - tp;
  Tensor tn = ops::sum(false_w, 0) - fp;
  if (!options.multi_label) {
    const Shape flat{num_thresholds};
    tp = ops::reshape(tp, flat);
    fp = ops::reshape(fp, flat);
    fn = ops::reshape(fn, flat);
    tn = ops::reshape(tn, flat);
  }
  auto add = [](Variable v, const Tensor& delta) {
    if (v.defined()) v.assign(v.value() + delta);
  };
  add(variables.true_positives, tp);
  add(variables.false_positives, fp);
  add(variables.true_negatives, tn);
  add(variables.false_negatives, fn);
}

}  // namespace keras::metrics::detail
