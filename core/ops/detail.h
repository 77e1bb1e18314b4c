#pragma once
// Helpers shared by the op implementations (not part of the public API).
#include <keras/core/tensor.h>

#include <functional>
#include <string_view>
#include <utility>

namespace keras::ops::detail {

/// Sums a broadcast gradient back down to `shape` (the adjoint of broadcasting).
Tensor sum_to_shape(const Tensor& grad, const Shape& shape);

/// Both operands cast to their promoted dtype.
std::pair<Tensor, Tensor> promote(const Tensor& a, const Tensor& b);

/// x itself when floating, else x cast to float32 (for ops like exp that are only defined on floats).
Tensor to_floating(const Tensor& x);

/// Throws ValueError "op: expected a floating tensor, got int32 of shape (2,)" unless floating.
void require_floating(const Tensor& x, std::string_view op);

/// op(a) @ op(b), op transposing the last two axes when asked; equal ranks >= 2. Differentiable.
Tensor matmul_t(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b);

/// Dense's forward as one kernel call: x @ kernel (+ bias), then relu when asked, for a 2-D x and
/// operands of one floating dtype. Differentiable; the relu gradient is taken from the output.
Tensor dense(const Tensor& x, const Tensor& kernel, const Tensor& bias, bool relu);

/// relu's gradient from relu's output y: dy where y > 0, else 0. Differentiable in dy.
Tensor relu_grad(const Tensor& dy, const Tensor& y);

/// Per-row -log p[label] of a floating (..., classes) output against int64 labels of shape (...): of
/// log_softmax(output) for logits, else of Keras's clip(p / sum(p), epsilon, 1 - epsilon). One kernel
/// each way; `reference` computes the same with ops and gives the gradient when an outer tape records
/// the backward pass (second derivatives).
Tensor sparse_crossentropy(const Tensor& output, const Tensor& labels, bool from_logits, double epsilon,
                           std::function<Tensor(const Tensor&)> reference);

/// Throws ValueError naming `op` when the tensor is undefined.
void require_defined(const Tensor& x, std::string_view op);

}  // namespace keras::ops::detail
