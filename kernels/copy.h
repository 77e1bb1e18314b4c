#pragma once
#include <keras/core/tensor.h>

#include <vector>

namespace keras::kernels {

/// Gathers a strided view of src into a new dense tensor of `shape`:
/// dst[i0, i1, ...] = src.flat[offset + i0*strides[0] + i1*strides[1] + ...].
/// Strides are in elements and may be 0 (broadcast) or negative (reverse). Transpose, broadcast_to,
/// slicing, tile and repeat are all this one kernel.
struct StridedCopyArgs {
  const Tensor& src;
  Shape shape;
  std::vector<int64_t> strides;
  int64_t offset = 0;
};
Tensor strided_copy(const StridedCopyArgs& args);

/// The adjoint of strided_copy for a view that reaches each element at most once (slices, flips):
/// a tensor of `shape` filled with `value`, then dst.flat[offset + i0*strides[0] + ...] = src[i0, i1, ...].
struct StridedAssignArgs {
  const Tensor& src;
  Shape shape;
  std::vector<int64_t> strides;  // one per axis of src
  int64_t offset = 0;
  double value = 0.0;
};
Tensor strided_assign(const StridedAssignArgs& args);

/// Joins tensors of one dtype along `axis` (all other dimensions equal).
Tensor concatenate(const Tensors& srcs, int64_t axis);

/// Pads each dimension i with pads[i].first before and pads[i].second after, filled with `value`.
Tensor pad_constant(const Tensor& src, const std::vector<std::pair<int64_t, int64_t>>& pads, double value);

/// dst = src indexed along `axis` by integer `indices` (int32 or int64; negative counts from the end):
/// dst.shape = src.shape[:axis] + indices.shape + src.shape[axis+1:]. Out-of-range indices throw ValueError.
Tensor take(const Tensor& src, const Tensor& indices, int64_t axis);

/// The adjoint of take: a zero tensor of `shape` into which `updates` are added at `indices` along `axis`.
Tensor scatter_add(const Tensor& updates, const Tensor& indices, int64_t axis, const Shape& shape);

}  // namespace keras::kernels
