#pragma once
// The per-element formulas of the CPU elementwise kernels, shared by the one-op loops
// (elementwise.cpp) and the fused programs (fused_elementwise.cpp) so both give the same bits.
#include <keras/kernels/elementwise.h>

#include <cmath>
#include <type_traits>

namespace keras::kernels::cpu {

inline constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
inline constexpr double kSeluScale = 1.0507009873554804934193349852946;

/// op(x) for a non-predicate unary op. Always inlined: with `op` a constant the switch folds away.
template <class T>
[[gnu::always_inline]] inline T apply_unary(UnaryOp op, T x, double alpha) {
  using std::abs;
  if constexpr (std::is_same_v<T, bool>) {
    return op == UnaryOp::logical_not ? !x : x;
  } else if constexpr (std::is_integral_v<T>) {
    switch (op) {
      case UnaryOp::negative: return static_cast<T>(-x);
      case UnaryOp::abs: if constexpr (std::is_signed_v<T>) return x < 0 ? static_cast<T>(-x) : x; else return x;
      case UnaryOp::sign: return static_cast<T>((x > 0) - (x < 0));
      case UnaryOp::square: return static_cast<T>(x * x);
      case UnaryOp::floor: case UnaryOp::ceil: case UnaryOp::round: return x;
      case UnaryOp::relu: return x > 0 ? x : T{0};
      default: return x;  // ops promote integers to float for everything else
    }
  } else {
    const T a = static_cast<T>(alpha);
    switch (op) {
      case UnaryOp::negative: return -x;
      case UnaryOp::abs: return std::abs(x);
      case UnaryOp::sign: return std::isnan(x) ? x : static_cast<T>((x > 0) - (x < 0));  // NumPy: sign(nan) is nan
      case UnaryOp::square: return x * x;
      case UnaryOp::sqrt: return std::sqrt(x);
      case UnaryOp::rsqrt: return T{1} / std::sqrt(x);
      case UnaryOp::reciprocal: return T{1} / x;
      case UnaryOp::exp: return std::exp(x);
      case UnaryOp::log: return std::log(x);
      case UnaryOp::log1p: return std::log1p(x);
      case UnaryOp::expm1: return std::expm1(x);
      case UnaryOp::sin: return std::sin(x);
      case UnaryOp::cos: return std::cos(x);
      case UnaryOp::tanh: return std::tanh(x);
      case UnaryOp::sigmoid: return x >= 0 ? T{1} / (T{1} + std::exp(-x)) : std::exp(x) / (T{1} + std::exp(x));
      case UnaryOp::erf: return std::erf(x);
      case UnaryOp::floor: return std::floor(x);
      case UnaryOp::ceil: return std::ceil(x);
      case UnaryOp::round: return std::nearbyint(x);
      // Written so that NaN falls through every comparison and propagates, as in NumPy and JAX.
      case UnaryOp::relu: return x < 0 ? T{0} : x;
      case UnaryOp::relu6: return x < 0 ? T{0} : (x > 6 ? T{6} : x);
      case UnaryOp::leaky_relu: return x > 0 ? x : a * x;
      case UnaryOp::elu: return x > 0 ? x : a * std::expm1(x);
      case UnaryOp::selu:
        return static_cast<T>(kSeluScale) * (x > 0 ? x : static_cast<T>(kSeluAlpha) * std::expm1(x));
      case UnaryOp::gelu: return T{0.5} * x * (T{1} + std::erf(x * static_cast<T>(M_SQRT1_2)));
      case UnaryOp::gelu_tanh: {
        const T c = static_cast<T>(0.7978845608028654);  // sqrt(2/pi)
        return T{0.5} * x * (T{1} + std::tanh(c * (x + static_cast<T>(0.044715) * x * x * x)));
      }
      case UnaryOp::softplus: return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
      case UnaryOp::softsign: return x / (T{1} + std::abs(x));
      case UnaryOp::silu: return x * (x >= 0 ? T{1} / (T{1} + std::exp(-x)) : std::exp(x) / (T{1} + std::exp(x)));
      case UnaryOp::hard_sigmoid: {
        const T v = x / T{6} + T{0.5};
        return v < 0 ? T{0} : (v > 1 ? T{1} : v);
      }
      case UnaryOp::logical_not: return x == T{0} ? T{1} : T{0};
      case UnaryOp::isnan: case UnaryOp::isinf: case UnaryOp::isfinite: return x;  // handled as predicates
    }
    return x;
  }
}

/// isnan / isinf / isfinite / logical_not of x.
template <class T>
[[gnu::always_inline]] inline bool apply_predicate(UnaryOp op, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::isnan: return std::isnan(x);
      case UnaryOp::isinf: return std::isinf(x);
      case UnaryOp::isfinite: return std::isfinite(x);
      case UnaryOp::logical_not: return x == T{0};
      default: return false;
    }
  } else {
    if (op == UnaryOp::logical_not) return x == T{0};
    return op == UnaryOp::isfinite;
  }
}

/// The unary ops whose result is bool.
inline bool is_predicate(UnaryOp op) {
  return op == UnaryOp::isnan || op == UnaryOp::isinf || op == UnaryOp::isfinite || op == UnaryOp::logical_not;
}

/// a op b for the arithmetic binary ops (result in the operands' dtype).
template <class T>
struct BinaryFn {
  BinaryOp op;
  [[gnu::always_inline]] T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) {
      switch (op) {
        case BinaryOp::add: case BinaryOp::maximum: case BinaryOp::logical_or: return a || b;
        case BinaryOp::multiply: case BinaryOp::minimum: case BinaryOp::logical_and: return a && b;
        case BinaryOp::subtract: case BinaryOp::logical_xor: return a != b;
        default: return a;
      }
    } else {
      switch (op) {
        case BinaryOp::add: return static_cast<T>(a + b);
        case BinaryOp::subtract: return static_cast<T>(a - b);
        case BinaryOp::multiply: return static_cast<T>(a * b);
        case BinaryOp::divide: return static_cast<T>(a / b);
        case BinaryOp::power: return static_cast<T>(std::pow(a, b));
        case BinaryOp::maximum:
          if constexpr (std::is_floating_point_v<T>) { if (std::isnan(a) || std::isnan(b)) return a + b; }
          return a > b ? a : b;
        case BinaryOp::minimum:
          if constexpr (std::is_floating_point_v<T>) { if (std::isnan(a) || std::isnan(b)) return a + b; }
          return a < b ? a : b;
        case BinaryOp::floor_divide:
          if constexpr (std::is_floating_point_v<T>) {
            return std::floor(a / b);
          } else {
            if (b == 0) return T{0};
            T q = static_cast<T>(a / b);
            if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
            return q;
          }
        case BinaryOp::mod:
          if constexpr (std::is_floating_point_v<T>) {
            T r = std::fmod(a, b);
            if (r != 0 && ((r < 0) != (b < 0))) r += b;
            return r;
          } else {
            if (b == 0) return T{0};
            T r = static_cast<T>(a % b);
            if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
            return r;
          }
        default: return a;
      }
    }
  }
};

/// a op b for comparisons and logical ops (result bool).
template <class T>
struct CompareFn {
  BinaryOp op;
  [[gnu::always_inline]] bool operator()(T a, T b) const {
    switch (op) {
      case BinaryOp::equal: return a == b;
      case BinaryOp::not_equal: return a != b;
      case BinaryOp::less: return a < b;
      case BinaryOp::less_equal: return a <= b;
      case BinaryOp::greater: return a > b;
      case BinaryOp::greater_equal: return a >= b;
      case BinaryOp::logical_and: return (a != T{0}) && (b != T{0});
      case BinaryOp::logical_or: return (a != T{0}) || (b != T{0});
      case BinaryOp::logical_xor: return (a != T{0}) != (b != T{0});
      default: return false;
    }
  }
};

}  // namespace keras::kernels::cpu
