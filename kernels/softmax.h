#pragma once
#include <keras/core/tensor.h>

namespace keras::kernels {

/// softmax (or log_softmax when `log`) of a floating tensor along one axis, numerically stable.
Tensor softmax(const Tensor& src, int64_t axis, bool log);
/// softmax's gradient from its output `y` and upstream `dy` along `axis`: y * (dy - sum(dy * y, axis)), one pass.
Tensor softmax_backward(const Tensor& y, const Tensor& dy, int64_t axis);
/// Per-row sparse categorical crossentropy of floating `output` (..., classes) against int64 `labels`
/// (...): -log_softmax(output)[label] for logits, else Keras's -log(clip(p[label] / sum(p), eps, 1 - eps)).
Tensor sparse_crossentropy(const Tensor& output, const Tensor& labels, bool from_logits, double epsilon);
/// The gradient of sparse_crossentropy with respect to `output`, for upstream gradients `dy` of the labels' shape.
Tensor sparse_crossentropy_backward(const Tensor& output, const Tensor& labels, const Tensor& dy, bool from_logits,
                                    double epsilon);

}  // namespace keras::kernels
