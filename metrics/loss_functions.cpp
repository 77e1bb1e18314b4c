#include <keras/metrics/loss_functions.h>

#include <keras/core/ops.h>
#include <keras/metrics/metrics_utils.h>

#include <cmath>
#include <string>

namespace keras::metrics::detail {

namespace {

// Keras converts y_true to y_pred's dtype; integer predictions (lists of ints) compute in floatx.
std::pair<Tensor, Tensor> as_floats(const Tensor& y_true, const Tensor& y_pred) {
  const Tensor p = is_floating(y_pred.dtype()) ? y_pred : ops::cast(y_pred, DType::float32);
  return {ops::cast(y_true, p.dtype()), p};
}

std::pair<Tensor, Tensor> same_rank_floats(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t, p] = as_floats(y_true, y_pred);
  return squeeze_or_expand_to_same_rank(t, p);
}

Tensor scalar_of(double value, const Tensor& like) { return Tensor::scalar(value, like.dtype(), like.device()); }

// ops.normalize with order 2: x * min(rsqrt(sum(x^2)), 1 / epsilon).
Tensor l2_normalize(const Tensor& x, int64_t axis) {
  const Tensor inv_norm = ops::rsqrt(ops::sum(ops::square(x), axis, true));
  return x * ops::minimum(inv_norm, scalar_of(1.0 / EPSILON, x));
}

Tensor hinge_labels(const Tensor& y_true) {
  const Tensor binary = ops::all(ops::logical_or(ops::equal(y_true, ops::zeros_like(y_true)),
                                                 ops::equal(y_true, ops::ones_like(y_true))));
  return binary.item<bool>() ? 2.0 * y_true - 1.0 : y_true;
}

// The probabilities of y_pred along axis, as log-probabilities (the backends' crossentropy core).
Tensor log_probabilities(const Tensor& y_pred, bool from_logits, int64_t axis) {
  if (from_logits) return ops::log_softmax(y_pred, axis);
  const Tensor output = y_pred / ops::sum(y_pred, axis, true);
  return ops::log(ops::clip(output, EPSILON, 1.0 - EPSILON));
}

}  // namespace

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t, p] = same_rank_floats(y_true, y_pred);
  return ops::mean(ops::square(t - p), -1);
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t, p] = same_rank_floats(y_true, y_pred);
  return ops::mean(ops::abs(t - p), -1);
}

Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t, p] = same_rank_floats(y_true, y_pred);
  const Tensor diff = ops::abs((t - p) / ops::maximum(ops::abs(t), scalar_of(EPSILON, p)));
  return 100.0 * ops::mean(diff, -1);
}

Tensor mean_squared_logarithmic_error(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t, p] = same_rank_floats(y_true, y_pred);
  const Tensor first_log = ops::log(ops::maximum(p, scalar_of(EPSILON, p)) + 1.0);
  const Tensor second_log = ops::log(ops::maximum(t, scalar_of(EPSILON, t)) + 1.0);
  return ops::mean(ops::square(first_log - second_log), -1);
}

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits, double label_smoothing,
                           int64_t axis) {
  auto [t, p] = as_floats(y_true, y_pred);
  if (t.shape() != p.shape()) {
    throw ValueError("binary_crossentropy: y_true and y_pred must have the same shape, got " + t.shape().str() +
                     " and " + p.shape().str());
  }
  if (label_smoothing != 0.0) t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  Tensor bce;
  if (from_logits) {
    // -t * log_sigmoid(p) - (1 - t) * log_sigmoid(-p), with log_sigmoid(x) = -softplus(-x).
    bce = t * ops::softplus(-p) + (1.0 - t) * ops::softplus(p);
  } else {
    const Tensor output = ops::clip(p, EPSILON, 1.0 - EPSILON);
    bce = -(t * ops::log(output) + (1.0 - t) * ops::log(1.0 - output));
  }
  return ops::mean(bce, axis);
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits, double label_smoothing,
                                int64_t axis) {
  auto [t, p] = as_floats(y_true, y_pred);
  if (t.shape() != p.shape()) {
    throw ValueError("categorical_crossentropy: arguments `target` and `output` must have the same shape. Received: "
                     "target.shape=" + t.shape().str() + ", output.shape=" + p.shape().str());
  }
  if (label_smoothing != 0.0) {
    const double num_classes = static_cast<double>(t.shape()[-1]);
    t = t * (1.0 - label_smoothing) + label_smoothing / num_classes;
  }
  return -ops::sum(t * log_probabilities(p, from_logits, axis), axis);
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits, int64_t axis) {
  const Tensor p = is_floating(y_pred.dtype()) ? y_pred : ops::cast(y_pred, DType::float32);
  Tensor labels = y_true;
  if (labels.rank() == p.rank() && labels.rank() > 0 && labels.shape()[-1] == 1) {
    labels = ops::squeeze(labels, std::vector<int64_t>{-1});
  }
  const int64_t class_axis = normalize_axis(axis, p.rank(), "sparse_categorical_crossentropy");
  if (labels.rank() != p.rank() - 1) {
    throw ValueError("sparse_categorical_crossentropy: expected integer labels of shape " +
                     p.shape().str() + " without the class axis, got " + y_true.shape().str());
  }
  const Tensor target = ops::one_hot(ops::cast(labels, DType::int32), p.shape()[class_axis], class_axis, p.dtype());
  return -ops::sum(target * log_probabilities(p, from_logits, class_axis), class_axis);
}

Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t_raw, p_raw] = as_floats(y_true, y_pred);
  const Tensor t = ops::clip(t_raw, EPSILON, 1.0);
  const Tensor p = ops::clip(p_raw, EPSILON, 1.0);
  return ops::sum(t * ops::log(t / p), -1);
}

Tensor poisson(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t, p] = as_floats(y_true, y_pred);
  return ops::mean(p - t * ops::log(p + EPSILON), -1);
}

Tensor hinge(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t_raw, p] = as_floats(y_true, y_pred);
  const Tensor t = hinge_labels(t_raw);
  return ops::mean(ops::maximum(1.0 - t * p, ops::zeros_like(p)), -1);
}

Tensor squared_hinge(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t_raw, p] = as_floats(y_true, y_pred);
  const Tensor t = hinge_labels(t_raw);
  return ops::mean(ops::square(ops::maximum(1.0 - t * p, ops::zeros_like(p))), -1);
}

Tensor categorical_hinge(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t, p] = as_floats(y_true, y_pred);
  const Tensor pos = ops::sum(t * p, -1);
  const Tensor neg = ops::max((1.0 - t) * p, -1);
  return ops::maximum(neg - pos + 1.0, scalar_of(0.0, p));
}

Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred) {
  const auto [t, p] = same_rank_floats(y_true, y_pred);
  const Tensor x = p - t;
  return ops::mean(x + ops::softplus(x * -2.0) - std::log(2.0), -1);
}

Tensor cosine_similarity(const Tensor& y_true, const Tensor& y_pred, int64_t axis) {
  const auto [t, p] = same_rank_floats(y_true, y_pred);
  return ops::sum(l2_normalize(t, axis) * l2_normalize(p, axis), axis);
}

}  // namespace keras::metrics::detail
