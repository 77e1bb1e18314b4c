#pragma once
// Launchers of keras-cpp's own CUDA kernels (elementwise.cu, copy.cu). They take plain pointers and
// sizes, so device code includes nothing of keras's; the C++ wrappers (elementwise.cpp, copy.cpp)
// check arguments, allocate outputs and collapse shapes. Each launcher enqueues on `stream` and
// throws RuntimeError when the launch fails. Indices are 64-bit and loops grid-stride, so any
// element count fits.
#include <cuda_runtime.h>

#include <cstdint>

namespace keras::kernels::cuda {

/// The most dimensions a strided operand may keep after mergeable ones are collapsed.
inline constexpr int kMaxDims = 8;

/// Up to three operands read (or written) at element strides over a row-major output of `rank` dims.
struct StridedIndex {
  int rank = 0;
  int64_t dims[kMaxDims] = {};
  int64_t strides[3][kMaxDims] = {};
};

/// Throws RuntimeError naming `what` when the last launch failed (cudaGetLastError).
void check_launch(const char* what);

// dtype codes are keras::DType's values: float32, float64, float16, bfloat16, int32, int64, uint8, bool.
void launch_cast(const void* src, int src_dtype, void* dst, int dst_dtype, int64_t n, cudaStream_t stream);
/// `op` is a kernels::UnaryOp; dst is bool for the predicates (isnan, isinf, isfinite, logical_not).
void launch_unary(int op, int dtype, const void* src, void* dst, int64_t n, double alpha, cudaStream_t stream);
/// `op` is a kernels::BinaryOp; `index` null when both operands are dense of the output's shape.
void launch_binary(int op, int dtype, const void* a, const void* b, void* dst, int64_t n, const StridedIndex* index,
                   cudaStream_t stream);
/// dst = cond ? x : y, elements of `elem_size` bytes; operands 0, 1, 2 of `index` are cond, x, y.
void launch_where(int elem_size, const bool* cond, const void* x, const void* y, void* dst, int64_t n,
                  const StridedIndex& index, cudaStream_t stream);
/// float32 or float64 only.
void launch_relu_backward(int dtype, const void* diff_dst, const void* dst, void* diff_src, int64_t n,
                          cudaStream_t stream);

/// Sets n elements of `elem_size` bytes to the bit pattern `bits`.
void launch_fill(int elem_size, void* dst, uint64_t bits, int64_t n, cudaStream_t stream);
/// dst (dense, n elements) = src at offset + strided position (operand 0 of `index`).
void launch_gather(int elem_size, const void* src, int64_t offset, void* dst, int64_t n, const StridedIndex& index,
                   cudaStream_t stream);
/// dst at offset + strided position (operand 0 of `index`) = src (dense, n elements).
void launch_scatter(int elem_size, const void* src, void* dst, int64_t offset, int64_t n, const StridedIndex& index,
                    cudaStream_t stream);
/// For each of `outer` rows: copies `row` elements of src to dst at dst_row * o + col.
void launch_copy_block(int elem_size, const void* src, void* dst, int64_t outer, int64_t row, int64_t dst_row,
                       int64_t col, cudaStream_t stream);
/// dst[o, j, t] = src[o, idx[j], t] for o < outer, j < k, t < inner; idx resolved (0 <= idx < dim).
void launch_take(int elem_size, const void* src, const int64_t* idx, void* dst, int64_t outer, int64_t k, int64_t dim,
                 int64_t inner, cudaStream_t stream);
/// dst[o, idx[j], t] += updates[o, j, t] into a zeroed dst, in j order per element (as the CPU).
void launch_scatter_add(int dtype, const void* updates, const int64_t* idx, void* dst, int64_t outer, int64_t k,
                        int64_t dim, int64_t inner, cudaStream_t stream);

}  // namespace keras::kernels::cuda
