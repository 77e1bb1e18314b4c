#pragma once
#include <keras/core/tensor.h>

namespace keras::kernels {

enum class UnaryOp : uint8_t {
  negative, abs, sign, square, sqrt, rsqrt, reciprocal, exp, log, log1p, expm1, sin, cos, tanh,
  sigmoid, erf, floor, ceil, round, logical_not,
  relu, relu6, leaky_relu, elu, selu, gelu, gelu_tanh, softplus, softsign, silu, hard_sigmoid,
  isnan, isinf, isfinite,
};

/// One unary elementwise op. `alpha` is the slope of leaky_relu and the scale of elu.
/// dst has src's dtype, except the is* ops and logical_not, which give bool.
struct UnaryArgs {
  UnaryOp op;
  const Tensor& src;
  double alpha = 0.0;
};
Tensor unary(const UnaryArgs& args);

enum class BinaryOp : uint8_t {
  add, subtract, multiply, divide, power, maximum, minimum, floor_divide, mod,
  equal, not_equal, less, less_equal, greater, greater_equal, logical_and, logical_or, logical_xor,
};

/// One binary elementwise op with NumPy broadcasting. src0 and src1 share a dtype (ops promote first);
/// dst has that dtype, or bool for comparisons and logical ops.
struct BinaryArgs {
  BinaryOp op;
  const Tensor& src0;
  const Tensor& src1;
};
Tensor binary(const BinaryArgs& args);

/// dst = cond ? x : y, broadcasting all three; x and y share a dtype, cond is bool.
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y);

bool is_comparison(BinaryOp op);

/// relu's gradient from its output: diff_src = dst > 0 ? diff_dst : 0 (a select, so a NaN or inf
/// gradient where dst <= 0 still gives 0). Same shape and floating dtype for both.
Tensor relu_backward(const Tensor& diff_dst, const Tensor& dst);

}  // namespace keras::kernels
