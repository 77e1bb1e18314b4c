#pragma once
#include <keras/core/tensor.h>

/// keras.ops elementwise math. Binary ops broadcast as NumPy and promote dtypes (promote_types);
/// a C++ scalar operand takes the tensor's dtype, as a Python scalar does in Keras.
namespace keras::ops {

Tensor add(const Tensor& x1, const Tensor& x2);
Tensor subtract(const Tensor& x1, const Tensor& x2);
Tensor multiply(const Tensor& x1, const Tensor& x2);
/// True division: integer inputs give float32.
Tensor divide(const Tensor& x1, const Tensor& x2);
Tensor floor_divide(const Tensor& x1, const Tensor& x2);
/// Remainder with the sign of the divisor (Python's %).
Tensor mod(const Tensor& x1, const Tensor& x2);
Tensor power(const Tensor& x1, const Tensor& x2);
Tensor maximum(const Tensor& x1, const Tensor& x2);
Tensor minimum(const Tensor& x1, const Tensor& x2);

Tensor negative(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor square(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor ceil(const Tensor& x);
/// Rounds half to even, as NumPy.
Tensor round(const Tensor& x);
/// min(max(x, x_min), x_max).
Tensor clip(const Tensor& x, double x_min, double x_max);
/// condition ? x1 : x2, broadcasting all three.
Tensor where(const Tensor& condition, const Tensor& x1, const Tensor& x2);

Tensor equal(const Tensor& x1, const Tensor& x2);
Tensor not_equal(const Tensor& x1, const Tensor& x2);
Tensor less(const Tensor& x1, const Tensor& x2);
Tensor less_equal(const Tensor& x1, const Tensor& x2);
Tensor greater(const Tensor& x1, const Tensor& x2);
Tensor greater_equal(const Tensor& x1, const Tensor& x2);
Tensor logical_and(const Tensor& x1, const Tensor& x2);
Tensor logical_or(const Tensor& x1, const Tensor& x2);
Tensor logical_xor(const Tensor& x1, const Tensor& x2);
Tensor logical_not(const Tensor& x);
Tensor isnan(const Tensor& x);
Tensor isinf(const Tensor& x);
Tensor isfinite(const Tensor& x);

/// The value of x with no gradient flowing back through it.
Tensor stop_gradient(const Tensor& x);
/// x converted to dtype (differentiable between floating dtypes).
Tensor cast(const Tensor& x, DType dtype);

}  // namespace keras::ops

namespace keras {

/// A rank-0 tensor of x's dtype holding `value` (how C++ scalars join tensor arithmetic);
/// float32 when x is integer and value fractional, as a Python float would make it.
Tensor scalar_like(double value, const Tensor& x);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, double b);
Tensor operator!=(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);
Tensor operator!(const Tensor& a);

}  // namespace keras
