#pragma once
// Device-side element types and conversions for the own kernels, bit for bit those of
// core/dtype.h (float16 and bfloat16 round to nearest even; float to integer saturates, NaN to 0),
// so that a cast gives the same bits on the GPU as on the CPU.
#include <keras/kernels/cuda/launch.h>

#include <cuda_runtime.h>

#include <cstdint>
#include <limits>
#include <type_traits>

namespace keras::kernels::cuda::dev {

struct f16 {
  uint16_t bits;
};
struct bf16 {
  uint16_t bits;
};

template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, f16> || std::is_same_v<T, bf16>;

__device__ inline float to_float(f16 h) {
  const uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000u) << 16;
  const uint32_t exp = (h.bits >> 10) & 0x1fu;
  const uint32_t mant = h.bits & 0x3ffu;
  uint32_t f;
  if (exp == 0) {
    f = __float_as_uint(static_cast<float>(mant) / 16777216.0f) | sign;  // mant * 2^-24
  } else if (exp == 31) {
    f = sign | 0x7f800000u | (mant << 13);
  } else {
    f = sign | ((exp + 112) << 23) | (mant << 13);
  }
  return __uint_as_float(f);
}

__device__ inline float to_float(bf16 h) { return __uint_as_float(static_cast<uint32_t>(h.bits) << 16); }

template <class H>
__device__ inline H from_float(float value);

template <>
__device__ inline f16 from_float<f16>(float value) {
  const uint32_t f = __float_as_uint(value);
  const uint32_t sign = (f >> 16) & 0x8000u;
  const uint32_t abs = f & 0x7fffffffu;
  if (abs > 0x7f800000u) return {static_cast<uint16_t>(sign | 0x7e00u)};
  if (abs >= 0x477ff000u) return {static_cast<uint16_t>(sign | 0x7c00u)};
  if (abs < 0x38800000u) {
    return {static_cast<uint16_t>(sign | static_cast<uint32_t>(rintf(__uint_as_float(abs) * 16777216.0f)))};
  }
  const uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);
  return {static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13))};
}

template <>
__device__ inline bf16 from_float<bf16>(float value) {
  const uint32_t u = __float_as_uint(value);
  if ((u & 0x7fffffffu) > 0x7f800000u) return {static_cast<uint16_t>((u >> 16) | 0x40)};
  return {static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16)};
}

/// keras::element_cast on the device.
template <class To, class From>
__device__ inline To element_cast(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    if constexpr (is_half_v<From>) {
      return to_float(v) != 0.0f;
    } else {
      return v != From{};
    }
  } else if constexpr (is_half_v<From>) {
    return element_cast<To>(to_float(v));
  } else if constexpr (is_half_v<To>) {
    return from_float<To>(static_cast<float>(v));
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (!(v == v)) return To{0};
    if (v <= static_cast<From>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (v >= static_cast<From>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

/// The type arithmetic on T runs in: float for the half types, T otherwise.
template <class T>
using compute_t = std::conditional_t<is_half_v<T>, float, T>;

template <class T>
__device__ inline compute_t<T> load(const T* p, int64_t i) {
  if constexpr (is_half_v<T>) {
    return to_float(p[i]);
  } else {
    return p[i];
  }
}

template <class T>
__device__ inline void store(T* p, int64_t i, compute_t<T> v) {
  if constexpr (is_half_v<T>) {
    p[i] = from_float<T>(v);
  } else {
    p[i] = v;
  }
}

/// Calls f(T{}) with the device storage type of a keras::DType code.
template <class F>
void visit_dtype(int dtype, F&& f) {
  switch (dtype) {
    case 0: f(float{}); break;
    case 1: f(double{}); break;
    case 2: f(f16{}); break;
    case 3: f(bf16{}); break;
    case 4: f(int32_t{}); break;
    case 5: f(int64_t{}); break;
    case 6: f(uint8_t{}); break;
    default: f(bool{}); break;
  }
}

/// Calls f(U{}) with an unsigned type of `elem_size` bytes (for kernels that only move bits).
template <class F>
void visit_size(int elem_size, F&& f) {
  switch (elem_size) {
    case 1: f(uint8_t{}); break;
    case 2: f(uint16_t{}); break;
    case 4: f(uint32_t{}); break;
    default: f(uint64_t{}); break;
  }
}

inline constexpr int kThreads = 256;

/// Blocks for a grid-stride loop over n elements (capped: each thread then takes several).
inline unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 65536 ? (b > 0 ? b : 1) : 65536);
}

/// Offset of operand `k` of `index` at row-major output position `i`.
__device__ inline int64_t strided_offset(const StridedIndex& index, int k, int64_t i) {
  int64_t off = 0;
  for (int d = index.rank - 1; d >= 0; --d) {
    const int64_t q = i / index.dims[d];
    off += (i - q * index.dims[d]) * index.strides[k][d];
    i = q;
  }
  return off;
}

}  // namespace keras::kernels::cuda::dev
