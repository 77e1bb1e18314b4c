#pragma once
// The CUDA backend's per-device state: one stream that every kernel and copy of a device is ordered
// on, the cuBLASLt and cuDNN handles bound to it, and a scratch workspace. Only kernels/cuda
// includes CUDA headers.
#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstddef>

namespace keras::kernels::cuda {

/// The number of CUDA devices this process can use (0 without a driver or GPU; never throws).
int device_count();
/// Makes `device_index` current on this thread; throws RuntimeError naming the device when it does
/// not exist.
void set_device(int device_index);
/// The stream of `device_index` (created on first use, non-blocking with respect to stream 0).
cudaStream_t stream(int device_index);
/// cuBLASLt's handle for `device_index`.
cublasLtHandle_t cublaslt(int device_index);
/// cuDNN's handle for `device_index`, bound to stream(device_index).
cudnnHandle_t cudnn(int device_index);
/// Device scratch memory of at least `bytes` on `device_index`, reused by every kernel of that
/// device's stream (valid until the next workspace() call there).
void* workspace(int device_index, size_t bytes);

[[noreturn]] void throw_cuda_error(cudaError_t status, const char* expr, const char* file, int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t status, const char* expr, const char* file, int line);
[[noreturn]] void throw_cudnn_error(cudnnStatus_t status, const char* expr, const char* file, int line);

}  // namespace keras::kernels::cuda

// Each throws RuntimeError with the failed call, the library's message, and file:line.
#define KERAS_CUDA_CHECK(expr)                                                                          \
  do {                                                                                                 \
    const cudaError_t keras_status_ = (expr);                                                          \
    if (keras_status_ != cudaSuccess)                                                                  \
      ::keras::kernels::cuda::throw_cuda_error(keras_status_, #expr, __FILE__, __LINE__);              \
  } while (false)
#define KERAS_CUBLAS_CHECK(expr)                                                                        \
  do {                                                                                                 \
    const cublasStatus_t keras_status_ = (expr);                                                       \
    if (keras_status_ != CUBLAS_STATUS_SUCCESS)                                                        \
      ::keras::kernels::cuda::throw_cublas_error(keras_status_, #expr, __FILE__, __LINE__);            \
  } while (false)
#define KERAS_CUDNN_CHECK(expr)                                                                         \
  do {                                                                                                 \
    const cudnnStatus_t keras_status_ = (expr);                                                        \
    if (keras_status_ != CUDNN_STATUS_SUCCESS)                                                         \
      ::keras::kernels::cuda::throw_cudnn_error(keras_status_, #expr, __FILE__, __LINE__);             \
  } while (false)
