// Elementwise device code: cast, unary, binary (NumPy broadcasting through StridedIndex), where and
// relu's backward. Each op is the CPU's formula (kernels/cpu/elementwise.cpp) on the same types:
// half types compute in float and round once, as the CPU's cast-compute-cast does.
#include <keras/kernels/cuda/device_types.cuh>
#include <keras/kernels/cuda/launch.h>

namespace keras::kernels::cuda {

namespace {

using namespace dev;

#define KERAS_GRID_STRIDE(i, n) \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += static_cast<int64_t>(gridDim.x) * blockDim.x)

// kernels::UnaryOp and kernels::BinaryOp, in their order (elementwise.cpp static_asserts it).
enum Unary : int {
  u_negative, u_abs, u_sign, u_square, u_sqrt, u_rsqrt, u_reciprocal, u_exp, u_log, u_log1p, u_expm1, u_sin, u_cos,
  u_tanh, u_sigmoid, u_erf, u_floor, u_ceil, u_round, u_logical_not,
  u_relu, u_relu6, u_leaky_relu, u_elu, u_selu, u_gelu, u_gelu_tanh, u_softplus, u_softsign, u_silu, u_hard_sigmoid,
  u_isnan, u_isinf, u_isfinite,
};
enum Binary : int {
  b_add, b_subtract, b_multiply, b_divide, b_power, b_maximum, b_minimum, b_floor_divide, b_mod,
  b_equal, b_not_equal, b_less, b_less_equal, b_greater, b_greater_equal, b_logical_and, b_logical_or, b_logical_xor,
};

#define KERAS_MATH1(name, f32, f64)                           \
  __device__ inline float m_##name(float x) { return f32(x); } \
  __device__ inline double m_##name(double x) { return f64(x); }
KERAS_MATH1(fabs, fabsf, fabs)
KERAS_MATH1(sqrt, sqrtf, sqrt)
KERAS_MATH1(exp, expf, exp)
KERAS_MATH1(log, logf, log)
KERAS_MATH1(log1p, log1pf, log1p)
KERAS_MATH1(expm1, expm1f, expm1)
KERAS_MATH1(sin, sinf, sin)
KERAS_MATH1(cos, cosf, cos)
KERAS_MATH1(tanh, tanhf, tanh)
KERAS_MATH1(erf, erff, erf)
KERAS_MATH1(floor, floorf, floor)
KERAS_MATH1(ceil, ceilf, ceil)
KERAS_MATH1(rint, rintf, rint)
#undef KERAS_MATH1
__device__ inline float m_pow(float a, float b) { return powf(a, b); }
__device__ inline double m_pow(double a, double b) { return pow(a, b); }
__device__ inline float m_fmod(float a, float b) { return fmodf(a, b); }
__device__ inline double m_fmod(double a, double b) { return fmod(a, b); }
__device__ inline bool m_isnan(float x) { return isnan(x); }
__device__ inline bool m_isnan(double x) { return isnan(x); }
__device__ inline bool m_isinf(float x) { return isinf(x); }
__device__ inline bool m_isinf(double x) { return isinf(x); }

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSqrtHalf = 0.70710678118654752440;

// x < 0 without a comparison nvcc flags as pointless for unsigned types.
template <class C>
__device__ bool negative(C x) {
  if constexpr (std::is_signed_v<C>) {
    return x < 0;
  } else {
    return false;
  }
}

template <class T>
__device__ T sigmoid(T x) {
  return x >= 0 ? T{1} / (T{1} + m_exp(-x)) : m_exp(x) / (T{1} + m_exp(x));
}

// C is the compute type: float, double, an integer type or bool.
template <class C>
__device__ C apply_unary(int op, C x, double alpha) {
  if constexpr (std::is_same_v<C, bool>) {
    return op == u_logical_not ? !x : x;
  } else if constexpr (std::is_integral_v<C>) {
    switch (op) {
      case u_negative: return static_cast<C>(-x);
      case u_abs:
        if constexpr (std::is_signed_v<C>) {
          return x < 0 ? static_cast<C>(-x) : x;
        } else {
          return x;
        }
      case u_sign: return static_cast<C>((x > 0) - negative(x));
      case u_square: return static_cast<C>(x * x);
      case u_relu: return x > 0 ? x : C{0};
      default: return x;  // floor, ceil, round; ops promote integers to float for the rest
    }
  } else {
    const C a = static_cast<C>(alpha);
    switch (op) {
      case u_negative: return -x;
      case u_abs: return m_fabs(x);
      case u_sign: return m_isnan(x) ? x : static_cast<C>((x > 0) - (x < 0));
      case u_square: return x * x;
      case u_sqrt: return m_sqrt(x);
      case u_rsqrt: return C{1} / m_sqrt(x);
      case u_reciprocal: return C{1} / x;
      case u_exp: return m_exp(x);
      case u_log: return m_log(x);
      case u_log1p: return m_log1p(x);
      case u_expm1: return m_expm1(x);
      case u_sin: return m_sin(x);
      case u_cos: return m_cos(x);
      case u_tanh: return m_tanh(x);
      case u_sigmoid: return sigmoid(x);
      case u_erf: return m_erf(x);
      case u_floor: return m_floor(x);
      case u_ceil: return m_ceil(x);
      case u_round: return m_rint(x);
      case u_relu: return x < 0 ? C{0} : x;
      case u_relu6: return x < 0 ? C{0} : (x > 6 ? C{6} : x);
      case u_leaky_relu: return x > 0 ? x : a * x;
      case u_elu: return x > 0 ? x : a * m_expm1(x);
      case u_selu: return static_cast<C>(kSeluScale) * (x > 0 ? x : static_cast<C>(kSeluAlpha) * m_expm1(x));
      case u_gelu: return C{0.5} * x * (C{1} + m_erf(x * static_cast<C>(kSqrtHalf)));
      case u_gelu_tanh: {
        const C c = static_cast<C>(0.7978845608028654);  // sqrt(2/pi)
        return C{0.5} * x * (C{1} + m_tanh(c * (x + static_cast<C>(0.044715) * x * x * x)));
      }
      case u_softplus: return x > 0 ? x + m_log1p(m_exp(-x)) : m_log1p(m_exp(x));
      case u_softsign: return x / (C{1} + m_fabs(x));
      case u_silu: return x * sigmoid(x);
      case u_hard_sigmoid: {
        const C v = x / C{6} + C{0.5};
        return v < 0 ? C{0} : (v > 1 ? C{1} : v);
      }
      case u_logical_not: return x == C{0} ? C{1} : C{0};
      default: return x;
    }
  }
}

template <class C>
__device__ bool apply_predicate(int op, C x) {
  if constexpr (std::is_floating_point_v<C>) {
    switch (op) {
      case u_isnan: return m_isnan(x);
      case u_isinf: return m_isinf(x);
      case u_isfinite: return !m_isnan(x) && !m_isinf(x);
      case u_logical_not: return x == C{0};
      default: return false;
    }
  } else {
    if (op == u_logical_not) return x == C{0};
    return op == u_isfinite;
  }
}

bool is_predicate(int op) { return op == u_isnan || op == u_isinf || op == u_isfinite || op == u_logical_not; }

template <class C>
__device__ C apply_binary(int op, C a, C b) {
  if constexpr (std::is_same_v<C, bool>) {
    switch (op) {
      case b_add: case b_maximum: case b_logical_or: return a || b;
      case b_multiply: case b_minimum: case b_logical_and: return a && b;
      case b_subtract: case b_logical_xor: return a != b;
      default: return a;
    }
  } else {
    switch (op) {
      case b_add: return static_cast<C>(a + b);
      case b_subtract: return static_cast<C>(a - b);
      case b_multiply: return static_cast<C>(a * b);
      case b_divide:
        if constexpr (std::is_integral_v<C>) {
          if (b == 0) return C{0};  // the CPU traps; ops promote integer division to float first
        }
        return static_cast<C>(a / b);
      case b_power:
        if constexpr (std::is_floating_point_v<C>) {
          return m_pow(a, b);
        } else {
          return static_cast<C>(pow(static_cast<double>(a), static_cast<double>(b)));
        }
      case b_maximum:
        if constexpr (std::is_floating_point_v<C>) {
          if (m_isnan(a) || m_isnan(b)) return a + b;
        }
        return a > b ? a : b;
      case b_minimum:
        if constexpr (std::is_floating_point_v<C>) {
          if (m_isnan(a) || m_isnan(b)) return a + b;
        }
        return a < b ? a : b;
      case b_floor_divide:
        if constexpr (std::is_floating_point_v<C>) {
          return m_floor(a / b);
        } else {
          if (b == 0) return C{0};
          C q = static_cast<C>(a / b);
          if ((a % b != 0) && (negative(a) != negative(b))) --q;
          return q;
        }
      case b_mod:
        if constexpr (std::is_floating_point_v<C>) {
          C r = m_fmod(a, b);
          if (r != 0 && ((r < 0) != (b < 0))) r += b;
          return r;
        } else {
          if (b == 0) return C{0};
          C r = static_cast<C>(a % b);
          if (r != 0 && (negative(r) != negative(b))) r = static_cast<C>(r + b);
          return r;
        }
      default: return a;
    }
  }
}

template <class C>
__device__ bool apply_compare(int op, C a, C b) {
  switch (op) {
    case b_equal: return a == b;
    case b_not_equal: return a != b;
    case b_less: return a < b;
    case b_less_equal: return a <= b;
    case b_greater: return a > b;
    case b_greater_equal: return a >= b;
    case b_logical_and: return (a != C{0}) && (b != C{0});
    case b_logical_or: return (a != C{0}) || (b != C{0});
    case b_logical_xor: return (a != C{0}) != (b != C{0});
    default: return false;
  }
}

template <class S, class D>
__global__ void cast_kernel(const S* src, D* dst, int64_t n) {
  KERAS_GRID_STRIDE(i, n) { dst[i] = element_cast<D>(src[i]); }
}

template <class T>
__global__ void unary_kernel(int op, const T* src, T* dst, int64_t n, double alpha) {
  KERAS_GRID_STRIDE(i, n) { store(dst, i, apply_unary(op, load(src, i), alpha)); }
}

template <class T>
__global__ void predicate_kernel(int op, const T* src, bool* dst, int64_t n) {
  KERAS_GRID_STRIDE(i, n) { dst[i] = apply_predicate(op, load(src, i)); }
}

// Compare selects the output: bool (comparisons, logical ops) or T (arithmetic).
template <class T, bool Compare, bool Dense>
__global__ void binary_kernel(int op, const T* a, const T* b, std::conditional_t<Compare, bool, T>* dst, int64_t n,
                              StridedIndex index) {
  KERAS_GRID_STRIDE(i, n) {
    const int64_t ia = Dense ? i : strided_offset(index, 0, i);
    const int64_t ib = Dense ? i : strided_offset(index, 1, i);
    if constexpr (Compare) {
      dst[i] = apply_compare(op, load(a, ia), load(b, ib));
    } else {
      store(dst, i, apply_binary(op, load(a, ia), load(b, ib)));
    }
  }
}

template <class U>
__global__ void where_kernel(const bool* cond, const U* x, const U* y, U* dst, int64_t n, StridedIndex index) {
  KERAS_GRID_STRIDE(i, n) {
    dst[i] = cond[strided_offset(index, 0, i)] ? x[strided_offset(index, 1, i)] : y[strided_offset(index, 2, i)];
  }
}

template <class T>
__global__ void relu_backward_kernel(const T* diff_dst, const T* dst, T* diff_src, int64_t n) {
  KERAS_GRID_STRIDE(i, n) {
    const T g = diff_dst[i];
    diff_src[i] = dst[i] > T{0} ? g : T{0};
  }
}

}  // namespace

void launch_cast(const void* src, int src_dtype, void* dst, int dst_dtype, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  visit_dtype(src_dtype, [&](auto stag) {
    using S = decltype(stag);
    visit_dtype(dst_dtype, [&](auto dtag) {
      using D = decltype(dtag);
      cast_kernel<S, D><<<blocks_for(n), kThreads, 0, stream>>>(static_cast<const S*>(src), static_cast<D*>(dst), n);
    });
  });
  check_launch("cast");
}

void launch_unary(int op, int dtype, const void* src, void* dst, int64_t n, double alpha, cudaStream_t stream) {
  if (n <= 0) return;
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if (is_predicate(op)) {
      predicate_kernel<T><<<blocks_for(n), kThreads, 0, stream>>>(op, static_cast<const T*>(src), static_cast<bool*>(dst), n);
    } else {
      unary_kernel<T><<<blocks_for(n), kThreads, 0, stream>>>(op, static_cast<const T*>(src), static_cast<T*>(dst), n, alpha);
    }
  });
  check_launch("unary");
}

void launch_binary(int op, int dtype, const void* a, const void* b, void* dst, int64_t n, const StridedIndex* index,
                   cudaStream_t stream) {
  if (n <= 0) return;
  const bool compare = op >= b_equal;
  const StridedIndex none{};
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* pa = static_cast<const T*>(a);
    const T* pb = static_cast<const T*>(b);
    const unsigned blocks = blocks_for(n);
    if (compare) {
      bool* pd = static_cast<bool*>(dst);
      if (index) {
        binary_kernel<T, true, false><<<blocks, kThreads, 0, stream>>>(op, pa, pb, pd, n, *index);
      } else {
        binary_kernel<T, true, true><<<blocks, kThreads, 0, stream>>>(op, pa, pb, pd, n, none);
      }
    } else {
      T* pd = static_cast<T*>(dst);
      if (index) {
        binary_kernel<T, false, false><<<blocks, kThreads, 0, stream>>>(op, pa, pb, pd, n, *index);
      } else {
        binary_kernel<T, false, true><<<blocks, kThreads, 0, stream>>>(op, pa, pb, pd, n, none);
      }
    }
  });
  check_launch("binary");
}

void launch_where(int elem_size, const bool* cond, const void* x, const void* y, void* dst, int64_t n,
                  const StridedIndex& index, cudaStream_t stream) {
  if (n <= 0) return;
  visit_size(elem_size, [&](auto tag) {
    using U = decltype(tag);
    where_kernel<U><<<blocks_for(n), kThreads, 0, stream>>>(cond, static_cast<const U*>(x), static_cast<const U*>(y),
                                                           static_cast<U*>(dst), n, index);
  });
  check_launch("where");
}

void launch_relu_backward(int dtype, const void* diff_dst, const void* dst, void* diff_src, int64_t n,
                          cudaStream_t stream) {
  if (n <= 0) return;
  if (dtype == 1) {
    relu_backward_kernel<double><<<blocks_for(n), kThreads, 0, stream>>>(
        static_cast<const double*>(diff_dst), static_cast<const double*>(dst), static_cast<double*>(diff_src), n);
  } else {
    relu_backward_kernel<float><<<blocks_for(n), kThreads, 0, stream>>>(
        static_cast<const float*>(diff_dst), static_cast<const float*>(dst), static_cast<float*>(diff_src), n);
  }
  check_launch("relu_backward");
}

}  // namespace keras::kernels::cuda
