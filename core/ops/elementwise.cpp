#include <keras/core/ops/elementwise.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/detail.h>
#include <keras/core/ops/manipulation.h>
#include <keras/core/ops/reduction.h>
#include <keras/kernels/cast.h>
#include <keras/kernels/elementwise.h>

#include <cmath>

namespace keras::ops {

namespace detail {

Tensor sum_to_shape(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const int64_t lead = grad.rank() - shape.rank();
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < grad.rank(); ++i) {
    if (i < lead || (shape.dims()[static_cast<size_t>(i - lead)] == 1 && grad.shape().dims()[static_cast<size_t>(i)] != 1)) {
      axes.push_back(i);
    }
  }
  Tensor s = sum(grad, Axes(axes), true);
  return reshape(s, shape);
}

std::pair<Tensor, Tensor> promote(const Tensor& a, const Tensor& b) {
  const DType d = promote_types(a.dtype(), b.dtype());
  return {cast(a, d), cast(b, d)};
}

Tensor to_floating(const Tensor& x) { return is_floating(x.dtype()) ? x : cast(x, DType::float32); }

void require_floating(const Tensor& x, std::string_view op) {
  if (!is_floating(x.dtype())) {
    throw ValueError(std::string(op) + ": expected a floating tensor, got " + std::string(dtype_name(x.dtype())) +
                     " of shape " + x.shape().str());
  }
}

void require_defined(const Tensor& x, std::string_view op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": received an undefined (None) tensor");
}

}  // namespace detail

using detail::sum_to_shape;
using kernels::BinaryOp;
using kernels::UnaryOp;

namespace {

// Checks both operands and promotes them. Differentiable ops record on the promoted pair, so that
// the casts' own gradients hand each input back a gradient of its own dtype.
std::pair<Tensor, Tensor> binary_operands(const Tensor& x1, const Tensor& x2, std::string_view name) {
  detail::require_defined(x1, name);
  detail::require_defined(x2, name);
  broadcast_shapes(x1.shape(), x2.shape(), name);  // Keras-worded error before any work
  return detail::promote(x1, x2);
}

Tensor binary_kernel(BinaryOp op, const Tensor& x1, const Tensor& x2, std::string_view name) {
  const auto [a, b] = binary_operands(x1, x2, name);
  return kernels::binary({op, a, b});
}

Tensor unary_kernel(UnaryOp op, const Tensor& x, std::string_view name, double alpha = 0.0) {
  detail::require_defined(x, name);
  return kernels::unary({op, x, alpha});
}

// Ops defined on floats only (exp, log, ...) take integers as float32, as Keras does.
Tensor float_unary(UnaryOp op, const Tensor& x, std::string_view name) {
  detail::require_defined(x, name);
  return kernels::unary({op, detail::to_floating(x)});
}

}  // namespace

Tensor add(const Tensor& x1, const Tensor& x2) {
  const auto [a, b] = binary_operands(x1, x2, "add");
  Tensor y = kernels::binary({BinaryOp::add, a, b});
  autograd::record(y, {a, b}, [s1 = a.shape(), s2 = b.shape()](const Tensors& dy) {
    return Tensors{sum_to_shape(dy[0], s1), sum_to_shape(dy[0], s2)};
  });
  return y;
}

Tensor subtract(const Tensor& x1, const Tensor& x2) {
  const auto [a, b] = binary_operands(x1, x2, "subtract");
  Tensor y = kernels::binary({BinaryOp::subtract, a, b});
  autograd::record(y, {a, b}, [s1 = a.shape(), s2 = b.shape()](const Tensors& dy, const autograd::NeedsGrad& needs) {
    return Tensors{sum_to_shape(dy[0], s1), needs[1] ? sum_to_shape(negative(dy[0]), s2) : Tensor()};
  });
  return y;
}

Tensor multiply(const Tensor& x1, const Tensor& x2) {
  const auto [x1p, x2p] = binary_operands(x1, x2, "multiply");
  Tensor y = kernels::binary({BinaryOp::multiply, x1p, x2p});
  autograd::record(y, {x1p, x2p}, [x1 = x1p, x2 = x2p](const Tensors& dy, const autograd::NeedsGrad& needs) {
    return Tensors{needs[0] ? sum_to_shape(multiply(dy[0], x2), x1.shape()) : Tensor(),
                   needs[1] ? sum_to_shape(multiply(dy[0], x1), x2.shape()) : Tensor()};
  });
  return y;
}

Tensor divide(const Tensor& x1, const Tensor& x2) {
  detail::require_defined(x1, "divide");
  detail::require_defined(x2, "divide");
  const auto [a, b] = binary_operands(detail::to_floating(x1), detail::to_floating(x2), "divide");
  Tensor y = kernels::binary({BinaryOp::divide, a, b});
  // Init-captures: clang before 16 cannot capture structured bindings by name.
  autograd::record(y, {a, b}, [a = a, b = b, y](const Tensors& dy, const autograd::NeedsGrad& needs) {
    return Tensors{needs[0] ? sum_to_shape(divide(dy[0], b), a.shape()) : Tensor(),
                   needs[1] ? sum_to_shape(negative(multiply(dy[0], divide(y, b))), b.shape()) : Tensor()};
  });
  return y;
}

// Piecewise constant: no gradient, as in TensorFlow.
Tensor floor_divide(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::floor_divide, x1, x2, "floor_divide"); }

Tensor mod(const Tensor& x1, const Tensor& x2) {
  const auto [x1p, x2p] = binary_operands(x1, x2, "mod");
  Tensor y = kernels::binary({BinaryOp::mod, x1p, x2p});
  autograd::record(y, {x1p, x2p}, [x1 = x1p, x2 = x2p](const Tensors& dy, const autograd::NeedsGrad& needs) {
    // x1 - floor(x1 / x2) * x2
    return Tensors{sum_to_shape(dy[0], x1.shape()),
                   needs[1] ? sum_to_shape(negative(multiply(dy[0], floor_divide(x1, x2))), x2.shape()) : Tensor()};
  });
  return y;
}

Tensor power(const Tensor& x1, const Tensor& x2) {
  const auto [x1p, x2p] = binary_operands(x1, x2, "power");
  Tensor y = kernels::binary({BinaryOp::power, x1p, x2p});
  autograd::record(y, {x1p, x2p}, [x1 = x1p, x2 = x2p, y](const Tensors& dy, const autograd::NeedsGrad& needs) {
    Tensor d1, d2;
    if (needs[0]) {
      // d/dx1 x1^x2 = x2 * x1^(x2-1)
      d1 = sum_to_shape(multiply(dy[0], multiply(x2, power(x1, subtract(x2, scalar_like(1, x2))))), x1.shape());
    }
    if (needs[1]) {
      // d/dx2 x1^x2 = x1^x2 * log(x1), taken as 0 where x1 == 0 (as TensorFlow)
      const Tensor safe = where(equal(x1, scalar_like(0, x1)), ones_like(x1), x1);
      d2 = sum_to_shape(multiply(dy[0], multiply(y, log(safe))), x2.shape());
    }
    return Tensors{d1, d2};
  });
  return y;
}

Tensor maximum(const Tensor& x1, const Tensor& x2) {
  const auto [x1p, x2p] = binary_operands(x1, x2, "maximum");
  Tensor y = kernels::binary({BinaryOp::maximum, x1p, x2p});
  autograd::record(y, {x1p, x2p}, [x1 = x1p, x2 = x2p](const Tensors& dy) {
    const Tensor pick1 = greater_equal(x1, x2);  // ties go to x1, as TensorFlow
    const Tensor zero = zeros_like(dy[0]);
    return Tensors{sum_to_shape(where(pick1, dy[0], zero), x1.shape()),
                   sum_to_shape(where(pick1, zero, dy[0]), x2.shape())};
  });
  return y;
}

Tensor minimum(const Tensor& x1, const Tensor& x2) {
  const auto [x1p, x2p] = binary_operands(x1, x2, "minimum");
  Tensor y = kernels::binary({BinaryOp::minimum, x1p, x2p});
  autograd::record(y, {x1p, x2p}, [x1 = x1p, x2 = x2p](const Tensors& dy) {
    const Tensor pick1 = less_equal(x1, x2);
    const Tensor zero = zeros_like(dy[0]);
    return Tensors{sum_to_shape(where(pick1, dy[0], zero), x1.shape()),
                   sum_to_shape(where(pick1, zero, dy[0]), x2.shape())};
  });
  return y;
}

Tensor negative(const Tensor& x) {
  Tensor y = unary_kernel(UnaryOp::negative, x, "negative");
  autograd::record(y, {x}, [](const Tensors& dy) { return Tensors{negative(dy[0])}; });
  return y;
}

Tensor abs(const Tensor& x) {
  Tensor y = unary_kernel(UnaryOp::abs, x, "abs");
  autograd::record(y, {x}, [x](const Tensors& dy) { return Tensors{multiply(dy[0], sign(x))}; });
  return y;
}

Tensor sign(const Tensor& x) { return unary_kernel(UnaryOp::sign, x, "sign"); }

Tensor square(const Tensor& x) {
  Tensor y = unary_kernel(UnaryOp::square, x, "square");
  autograd::record(y, {x}, [x](const Tensors& dy) { return Tensors{multiply(dy[0], multiply(x, scalar_like(2, x)))}; });
  return y;
}

Tensor sqrt(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::sqrt, x, "sqrt");
  autograd::record(y, {x}, [y](const Tensors& dy) { return Tensors{divide(dy[0], multiply(y, scalar_like(2, y)))}; });
  return y;
}

Tensor rsqrt(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::rsqrt, x, "rsqrt");
  autograd::record(y, {x}, [y](const Tensors& dy) {  // d x^-1/2 = -1/2 x^-3/2
    return Tensors{multiply(dy[0], multiply(power(y, scalar_like(3, y)), scalar_like(-0.5, y)))};
  });
  return y;
}

Tensor reciprocal(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::reciprocal, x, "reciprocal");
  autograd::record(y, {x}, [y](const Tensors& dy) { return Tensors{negative(multiply(dy[0], square(y)))}; });
  return y;
}

Tensor exp(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::exp, x, "exp");
  autograd::record(y, {x}, [y](const Tensors& dy) { return Tensors{multiply(dy[0], y)}; });
  return y;
}

Tensor log(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::log, x, "log");
  autograd::record(y, {x}, [x](const Tensors& dy) { return Tensors{divide(dy[0], x)}; });
  return y;
}

Tensor log1p(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::log1p, x, "log1p");
  autograd::record(y, {x}, [x](const Tensors& dy) { return Tensors{divide(dy[0], add(x, scalar_like(1, x)))}; });
  return y;
}

Tensor expm1(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::expm1, x, "expm1");
  autograd::record(y, {x}, [y](const Tensors& dy) { return Tensors{multiply(dy[0], add(y, scalar_like(1, y)))}; });
  return y;
}

Tensor sin(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::sin, x, "sin");
  autograd::record(y, {x}, [x](const Tensors& dy) { return Tensors{multiply(dy[0], cos(x))}; });
  return y;
}

Tensor cos(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::cos, x, "cos");
  autograd::record(y, {x}, [x](const Tensors& dy) { return Tensors{negative(multiply(dy[0], sin(x)))}; });
  return y;
}

Tensor tanh(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::tanh, x, "tanh");
  autograd::record(y, {x}, [y](const Tensors& dy) {  // d tanh = 1 - tanh^2
    return Tensors{multiply(dy[0], subtract(scalar_like(1, y), square(y)))};
  });
  return y;
}

Tensor sigmoid(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::sigmoid, x, "sigmoid");
  autograd::record(y, {x}, [y](const Tensors& dy) {  // d sigmoid = y (1 - y)
    return Tensors{multiply(dy[0], multiply(y, subtract(scalar_like(1, y), y)))};
  });
  return y;
}

Tensor erf(const Tensor& x) {
  Tensor y = float_unary(UnaryOp::erf, x, "erf");
  autograd::record(y, {x}, [x](const Tensors& dy) {  // d erf = 2/sqrt(pi) exp(-x^2)
    return Tensors{multiply(dy[0], multiply(exp(negative(square(x))), scalar_like(M_2_SQRTPI, x)))};
  });
  return y;
}

// Integers become float32 here, as in Keras (round keeps them).
Tensor floor(const Tensor& x) { return float_unary(UnaryOp::floor, x, "floor"); }
Tensor ceil(const Tensor& x) { return float_unary(UnaryOp::ceil, x, "ceil"); }
Tensor round(const Tensor& x) { return unary_kernel(UnaryOp::round, x, "round"); }

Tensor clip(const Tensor& x, double x_min, double x_max) {
  detail::require_defined(x, "clip");
  if (x_min > x_max) {
    throw ValueError("clip: x_min (" + std::to_string(x_min) + ") must not exceed x_max (" + std::to_string(x_max) + ")");
  }
  return minimum(maximum(x, scalar_like(x_min, x)), scalar_like(x_max, x));
}

Tensor where(const Tensor& condition, const Tensor& x1, const Tensor& x2) {
  detail::require_defined(condition, "where");
  detail::require_defined(x1, "where");
  detail::require_defined(x2, "where");
  broadcast_shapes(broadcast_shapes(condition.shape(), x1.shape(), "where"), x2.shape(), "where");
  auto [a, b] = detail::promote(x1, x2);
  Tensor y = kernels::where(condition, a, b);
  autograd::record(y, {a, b}, [condition, a = a, b = b](const Tensors& dy) {
    const Tensor zero = zeros_like(dy[0]);
    return Tensors{sum_to_shape(where(condition, dy[0], zero), a.shape()),
                   sum_to_shape(where(condition, zero, dy[0]), b.shape())};
  });
  return y;
}

Tensor equal(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::equal, x1, x2, "equal"); }
Tensor not_equal(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::not_equal, x1, x2, "not_equal"); }
Tensor less(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::less, x1, x2, "less"); }
Tensor less_equal(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::less_equal, x1, x2, "less_equal"); }
Tensor greater(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::greater, x1, x2, "greater"); }
Tensor greater_equal(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::greater_equal, x1, x2, "greater_equal"); }
Tensor logical_and(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::logical_and, x1, x2, "logical_and"); }
Tensor logical_or(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::logical_or, x1, x2, "logical_or"); }
Tensor logical_xor(const Tensor& x1, const Tensor& x2) { return binary_kernel(BinaryOp::logical_xor, x1, x2, "logical_xor"); }
Tensor logical_not(const Tensor& x) { return unary_kernel(UnaryOp::logical_not, x, "logical_not"); }
Tensor isnan(const Tensor& x) { return unary_kernel(UnaryOp::isnan, x, "isnan"); }
Tensor isinf(const Tensor& x) { return unary_kernel(UnaryOp::isinf, x, "isinf"); }
Tensor isfinite(const Tensor& x) { return unary_kernel(UnaryOp::isfinite, x, "isfinite"); }

Tensor stop_gradient(const Tensor& x) {
  detail::require_defined(x, "stop_gradient");
  return Tensor::view(x.storage(), x.offset(), x.shape(), x.dtype());  // same buffer, new identity
}

Tensor cast(const Tensor& x, DType dtype) {
  detail::require_defined(x, "cast");
  if (x.dtype() == dtype) return x;
  Tensor y = kernels::cast(x, dtype);
  if (is_floating(dtype) && is_floating(x.dtype())) {
    autograd::record(y, {x}, [from = x.dtype()](const Tensors& dy) { return Tensors{cast(dy[0], from)}; });
  }
  return y;
}

}  // namespace keras::ops

namespace keras {

Tensor scalar_like(double value, const Tensor& x) {
  // A fractional scalar meeting an integer tensor makes the result float32, as a Python float would;
  // a whole one meeting a bool tensor makes it int32, as a Python int would (True * 2 is 2, not True).
  const bool fractional = !is_floating(x.dtype()) && value != std::floor(value);
  const DType whole = x.dtype() == DType::bool_ ? DType::int32 : x.dtype();
  return Tensor::scalar(value, fractional ? DType::float32 : whole, x.device());
}

Tensor operator+(const Tensor& a, const Tensor& b) { return ops::add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return ops::subtract(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return ops::multiply(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return ops::divide(a, b); }
Tensor operator+(const Tensor& a, double b) { return ops::add(a, scalar_like(b, a)); }
Tensor operator-(const Tensor& a, double b) { return ops::subtract(a, scalar_like(b, a)); }
Tensor operator*(const Tensor& a, double b) { return ops::multiply(a, scalar_like(b, a)); }
Tensor operator/(const Tensor& a, double b) { return ops::divide(a, scalar_like(b, a)); }
Tensor operator+(double a, const Tensor& b) { return ops::add(scalar_like(a, b), b); }
Tensor operator-(double a, const Tensor& b) { return ops::subtract(scalar_like(a, b), b); }
Tensor operator*(double a, const Tensor& b) { return ops::multiply(scalar_like(a, b), b); }
Tensor operator/(double a, const Tensor& b) { return ops::divide(scalar_like(a, b), b); }
Tensor operator-(const Tensor& a) { return ops::negative(a); }
Tensor operator==(const Tensor& a, const Tensor& b) { return ops::equal(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ops::not_equal(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return ops::less(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return ops::less_equal(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return ops::greater(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ops::greater_equal(a, b); }
Tensor operator==(const Tensor& a, double b) { return ops::equal(a, scalar_like(b, a)); }
Tensor operator!=(const Tensor& a, double b) { return ops::not_equal(a, scalar_like(b, a)); }
Tensor operator<(const Tensor& a, double b) { return ops::less(a, scalar_like(b, a)); }
Tensor operator<=(const Tensor& a, double b) { return ops::less_equal(a, scalar_like(b, a)); }
Tensor operator>(const Tensor& a, double b) { return ops::greater(a, scalar_like(b, a)); }
Tensor operator>=(const Tensor& a, double b) { return ops::greater_equal(a, scalar_like(b, a)); }
Tensor operator&(const Tensor& a, const Tensor& b) { return ops::logical_and(a, b); }
Tensor operator|(const Tensor& a, const Tensor& b) { return ops::logical_or(a, b); }
Tensor operator^(const Tensor& a, const Tensor& b) { return ops::logical_xor(a, b); }
Tensor operator!(const Tensor& a) { return ops::logical_not(a); }

}  // namespace keras
