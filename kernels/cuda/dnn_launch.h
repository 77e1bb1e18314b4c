#pragma once
// The device-and-stream preamble of every CUDA kernel entry, and the small device kernels that
// the library-backed kernels (matmul.cpp, conv.cpp) run around cuBLASLt and cuDNN, defined in
// pointwise.cu; each enqueues on `stream` and checks the launch.
#include <keras/core/tensor.h>
#include <keras/kernels/cuda/cuda_context.h>

#include <cuda_runtime.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace keras::kernels::cuda::dnn {

/// Makes `device`'s GPU current and returns its stream; throws RuntimeError for a CPU device or a
/// GPU this machine lacks.
inline cudaStream_t prepare(const Device& device, const char* who) {
  if (device.type != Device::Type::cuda) {
    throw RuntimeError(std::string(who) + ": expected a tensor on a CUDA device, got one on " + device.str());
  }
  set_device(device.index);
  return stream(device.index);
}

/// In place on a dense (outer, channels, inner) floating buffer: x += bias[channel] when bias is
/// given (of x's dtype), then x = relu(x) keeping NaN (as ops::relu) when `relu`.
void bias_relu(void* x, const void* bias, DType dtype, int64_t outer, int64_t channels, int64_t inner, bool relu,
               cudaStream_t stream);

/// dst = src with its three dense axes (d0, d1, d2) permuted: dst axis i is src axis perm[i].
void permute3(const void* src, void* dst, size_t element_size, std::array<int64_t, 3> dims, std::array<int, 3> perm,
              cudaStream_t stream);

/// dst[c] = src[c - offset] per coordinate c of dst (rank <= 6, dense), 0 where that falls outside
/// src: zero-padding with a positive offset, cropping with a negative one.
void window_copy(const void* src, const Shape& src_shape, void* dst, const Shape& dst_shape,
                 const std::vector<int64_t>& offset, size_t element_size, cudaStream_t stream);

}  // namespace keras::kernels::cuda::dnn
