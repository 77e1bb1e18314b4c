#pragma once
#include <keras/core/tensor.h>

/// The per-sample loss functions behind the loss-named metrics (keras/src/losses/losses.py), kept
/// private to metrics/ until keras::losses provides them. Each reduces the last axis (or `axis`).
namespace keras::metrics::detail {

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);
/// 100 * mean(|y_true - y_pred| / max(|y_true|, epsilon)).
Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred);
/// mean((log(max(y_pred, epsilon) + 1) - log(max(y_true, epsilon) + 1))^2).
Tensor mean_squared_logarithmic_error(const Tensor& y_true, const Tensor& y_pred);
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits, double label_smoothing,
                           int64_t axis = -1);
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits, double label_smoothing,
                                int64_t axis = -1);
Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits, int64_t axis = -1);
/// sum(y_true * log(y_true / y_pred)), both clipped to [epsilon, 1].
Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred);
/// mean(y_pred - y_true * log(y_pred + epsilon)).
Tensor poisson(const Tensor& y_true, const Tensor& y_pred);
/// Binary {0, 1} labels are mapped to {-1, 1} first (Keras's convert_binary_labels_to_hinge).
Tensor hinge(const Tensor& y_true, const Tensor& y_pred);
Tensor squared_hinge(const Tensor& y_true, const Tensor& y_pred);
/// max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0).
Tensor categorical_hinge(const Tensor& y_true, const Tensor& y_pred);
/// mean(log(cosh(y_pred - y_true))), computed as x + softplus(-2x) - log(2).
Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred);
/// The metric's cosine similarity (positive; the loss is its negative) of the l2-normalised inputs.
Tensor cosine_similarity(const Tensor& y_true, const Tensor& y_pred, int64_t axis = -1);

}  // namespace keras::metrics::detail
