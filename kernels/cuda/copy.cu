// Data-movement device code: fill, strided gather and scatter (transpose, broadcast, slices, pads),
// block copies (concatenate), take and scatter_add. Kernels that only move bits run on an unsigned
// type of the element's size.
#include <keras/kernels/cuda/device_types.cuh>
#include <keras/kernels/cuda/launch.h>

namespace keras::kernels::cuda {

namespace {

using namespace dev;

#define KERAS_GRID_STRIDE(i, n) \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += static_cast<int64_t>(gridDim.x) * blockDim.x)

template <class U>
__global__ void fill_kernel(U* dst, U value, int64_t n) {
  KERAS_GRID_STRIDE(i, n) { dst[i] = value; }
}

template <class U>
__global__ void gather_kernel(const U* src, int64_t offset, U* dst, int64_t n, StridedIndex index) {
  KERAS_GRID_STRIDE(i, n) { dst[i] = src[offset + strided_offset(index, 0, i)]; }
}

template <class U>
__global__ void scatter_kernel(const U* src, U* dst, int64_t offset, int64_t n, StridedIndex index) {
  KERAS_GRID_STRIDE(i, n) { dst[offset + strided_offset(index, 0, i)] = src[i]; }
}

template <class U>
__global__ void copy_block_kernel(const U* src, U* dst, int64_t n, int64_t row, int64_t dst_row, int64_t col) {
  KERAS_GRID_STRIDE(i, n) {
    const int64_t o = i / row;
    dst[o * dst_row + col + (i - o * row)] = src[i];
  }
}

template <class U>
__global__ void take_kernel(const U* src, const int64_t* idx, U* dst, int64_t n, int64_t k, int64_t dim, int64_t inner) {
  KERAS_GRID_STRIDE(i, n) {
    const int64_t r = i / inner, t = i - r * inner;
    const int64_t o = r / k, j = r - o * k;
    dst[i] = src[(o * dim + idx[j]) * inner + t];
  }
}

// One thread per output column (o, t), adding its k updates in order: no atomics, no races, and
// the same sums in the same order as the CPU, so results match bit for bit.
template <class T>
__global__ void scatter_add_kernel(const T* updates, const int64_t* idx, T* dst, int64_t n, int64_t k, int64_t dim,
                                   int64_t inner) {
  KERAS_GRID_STRIDE(i, n) {
    const int64_t o = i / inner, t = i - o * inner;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t d = (o * dim + idx[j]) * inner + t;
      const int64_t u = (o * k + j) * inner + t;
      if constexpr (is_half_v<T>) {
        dst[d] = from_float<T>(to_float(dst[d]) + to_float(updates[u]));
      } else {
        dst[d] = static_cast<T>(dst[d] + updates[u]);
      }
    }
  }
}

}  // namespace

void launch_fill(int elem_size, void* dst, uint64_t bits, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  visit_size(elem_size, [&](auto tag) {
    using U = decltype(tag);
    fill_kernel<U><<<blocks_for(n), kThreads, 0, stream>>>(static_cast<U*>(dst), static_cast<U>(bits), n);
  });
  check_launch("fill");
}

void launch_gather(int elem_size, const void* src, int64_t offset, void* dst, int64_t n, const StridedIndex& index,
                   cudaStream_t stream) {
  if (n <= 0) return;
  visit_size(elem_size, [&](auto tag) {
    using U = decltype(tag);
    gather_kernel<U><<<blocks_for(n), kThreads, 0, stream>>>(static_cast<const U*>(src), offset, static_cast<U*>(dst), n,
                                                            index);
  });
  check_launch("strided_copy");
}

void launch_scatter(int elem_size, const void* src, void* dst, int64_t offset, int64_t n, const StridedIndex& index,
                    cudaStream_t stream) {
  if (n <= 0) return;
  visit_size(elem_size, [&](auto tag) {
    using U = decltype(tag);
    scatter_kernel<U><<<blocks_for(n), kThreads, 0, stream>>>(static_cast<const U*>(src), static_cast<U*>(dst), offset,
                                                             n, index);
  });
  check_launch("strided_assign");
}

void launch_copy_block(int elem_size, const void* src, void* dst, int64_t outer, int64_t row, int64_t dst_row,
                       int64_t col, cudaStream_t stream) {
  const int64_t n = outer * row;
  if (n <= 0) return;
  visit_size(elem_size, [&](auto tag) {
    using U = decltype(tag);
    copy_block_kernel<U><<<blocks_for(n), kThreads, 0, stream>>>(static_cast<const U*>(src), static_cast<U*>(dst), n,
                                                                row, dst_row, col);
  });
  check_launch("concatenate");
}

void launch_take(int elem_size, const void* src, const int64_t* idx, void* dst, int64_t outer, int64_t k, int64_t dim,
                 int64_t inner, cudaStream_t stream) {
  const int64_t n = outer * k * inner;
  if (n <= 0) return;
  visit_size(elem_size, [&](auto tag) {
    using U = decltype(tag);
    take_kernel<U><<<blocks_for(n), kThreads, 0, stream>>>(static_cast<const U*>(src), idx, static_cast<U*>(dst), n, k,
                                                          dim, inner);
  });
  check_launch("take");
}

void launch_scatter_add(int dtype, const void* updates, const int64_t* idx, void* dst, int64_t outer, int64_t k,
                        int64_t dim, int64_t inner, cudaStream_t stream) {
  const int64_t n = outer * inner;
  if (n <= 0 || k <= 0) return;
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      scatter_add_kernel<T><<<blocks_for(n), kThreads, 0, stream>>>(static_cast<const T*>(updates), idx,
                                                                   static_cast<T*>(dst), n, k, dim, inner);
    }
  });
  check_launch("scatter_add");
}

}  // namespace keras::kernels::cuda
