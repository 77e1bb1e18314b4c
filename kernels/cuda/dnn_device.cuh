#pragma once
// What the .cu files share: element loads and stores through a compute type (the half types go
// through float), the floating-dtype visitor, launch sizes and the device-and-stream preamble.
#include <keras/core/tensor.h>
#include <keras/kernels/cuda/cuda_context.h>
#include <keras/kernels/cuda/dnn_launch.h>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>

namespace keras::kernels::cuda::dnn {

template <class T>
inline constexpr bool kIsHalf = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

/// The type a kernel computes T in: double for double, float for float and the half types.
template <class T>
using Compute = std::conditional_t<std::is_same_v<T, double>, double, float>;

template <class A, class T>
__device__ __forceinline__ A load_as(T v) {
  if constexpr (kIsHalf<T>) return static_cast<A>(static_cast<float>(v));
  else return static_cast<A>(v);
}

template <class T, class A>
__device__ __forceinline__ T store_as(A v) {
  if constexpr (std::is_same_v<T, __half>) return __float2half_rn(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return __float2bfloat16_rn(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, bool>) return v != A(0);
  else return static_cast<T>(v);
}

/// Calls f(T{}) with the device storage type of a floating dtype; throws ValueError naming `who`
/// for the others.
template <class F>
void visit_floating(DType dtype, const char* who, F&& f) {
  switch (dtype) {
    case DType::float32: f(float{}); return;
    case DType::float64: f(double{}); return;
    case DType::float16: f(__half{}); return;
    case DType::bfloat16: f(__nv_bfloat16{}); return;
    default:
      throw ValueError(std::string(who) + ": expected a floating tensor, got " + std::string(dtype_name(dtype)));
  }
}

/// Blocks for a grid-stride loop over n items (capped: the loop covers the rest).
inline unsigned grid_for(int64_t n, int block) {
  const int64_t blocks = (n + block - 1) / block;
  return static_cast<unsigned>(std::clamp<int64_t>(blocks, 1, int64_t{1} << 20));
}

template <class T>
const T* cptr(const Tensor& t) {
  return static_cast<const T*>(t.data());
}
template <class T>
T* mptr(const Tensor& t) {
  return static_cast<T*>(t.mutable_data());
}

}  // namespace keras::kernels::cuda::dnn

#define KERAS_CUDA_CHECK_LAUNCH() KERAS_CUDA_CHECK(cudaGetLastError())
