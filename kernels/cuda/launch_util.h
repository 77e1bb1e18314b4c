#pragma once
// What the C++ wrappers of the own kernels share: the device and stream of an operand, and
// NumPy-broadcast iteration (cpu/loops.h's collapsing) turned into a StridedIndex for the device.
#include <keras/core/tensor.h>
#include <keras/kernels/cpu/loops.h>
#include <keras/kernels/cuda/cuda_context.h>
#include <keras/kernels/cuda/launch.h>

#include <cstring>
#include <string>

namespace keras::kernels::cuda {

/// Makes the device of `t` current and returns its stream.
inline cudaStream_t stream_of(const Tensor& t) {
  set_device(t.device().index);
  return stream(t.device().index);
}

/// The collapsed loop as a StridedIndex; NotImplementedError past kMaxDims unmergeable dimensions.
template <size_t N>
StridedIndex strided_index(const cpu::BroadcastLoop<N>& loop, const char* kernel) {
  static_assert(N <= 3);
  if (loop.dims.size() > static_cast<size_t>(kMaxDims)) {
    throw NotImplementedError(std::string(kernel) + " on CUDA supports at most " + std::to_string(kMaxDims) +
                              " dimensions that cannot be merged, got " + std::to_string(loop.dims.size()));
  }
  StridedIndex index;
  index.rank = static_cast<int>(loop.dims.size());
  for (size_t d = 0; d < loop.dims.size(); ++d) {
    index.dims[d] = loop.dims[d];
    for (size_t k = 0; k < N; ++k) index.strides[k][d] = loop.strides[k][d];
  }
  return index;
}

/// The bits of `value` converted to `dtype` (element_cast), in the low bytes.
inline uint64_t element_bits(double value, DType dtype) {
  uint64_t bits = 0;
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    const T v = element_cast<T>(value);
    std::memcpy(&bits, &v, sizeof(T));
  });
  return bits;
}

}  // namespace keras::kernels::cuda
