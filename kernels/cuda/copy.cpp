// CUDA wrappers of the copy kernels (device code in copy.cu).
#include <keras/kernels/cuda/cuda_kernels.h>
#include <keras/kernels/cuda/launch_util.h>

#include <vector>

namespace keras::kernels::cuda {

namespace {

int elem_size(DType dtype) { return static_cast<int>(dtype_size(dtype)); }

void fill(const Tensor& dst, double value, cudaStream_t s) {
  launch_fill(elem_size(dst.dtype()), dst.mutable_data(), element_bits(value, dst.dtype()), dst.size(), s);
}

Tensor assign(const Tensor& src, const Shape& shape, const std::vector<int64_t>& strides, int64_t offset, double value) {
  Tensor dst = Tensor::empty(shape, src.dtype(), src.device());
  cudaStream_t s = stream_of(src);
  fill(dst, value, s);
  if (src.size() == 0) return dst;
  const auto loop = cpu::make_broadcast_loop<1>(src.shape(), {strides});
  launch_scatter(elem_size(src.dtype()), src.data(), dst.mutable_data(), offset, src.size(),
                 strided_index(loop, "strided_assign"), s);
  return dst;
}

// Indices are read on the host (a copy when they live on the device), checked and resolved there as
// the CPU does, and uploaded as int64: an out-of-range index must raise, not read astray.
Tensor resolve_indices(const Tensor& indices, const Shape& shape, int64_t axis, const char* op, Device device) {
  if (indices.dtype() != DType::int32 && indices.dtype() != DType::int64) {
    throw ValueError(std::string(op) + ": indices must be int32 or int64, got " + std::string(dtype_name(indices.dtype())));
  }
  const int64_t dim = shape.dims()[static_cast<size_t>(axis)];
  std::vector<int64_t> idx = indices.to_vector<int64_t>();
  for (int64_t& v : idx) {
    if (v < -dim || v >= dim) {
      throw ValueError(std::string(op) + ": index " + std::to_string(v) + " is out of bounds for axis " +
                       std::to_string(axis) + " with size " + std::to_string(dim) + " (shape " + shape.str() + ")");
    }
    if (v < 0) v += dim;
  }
  return Tensor::from_vector(idx).to(device);
}

void outer_inner(const std::vector<int64_t>& dims, int64_t axis, int64_t& outer, int64_t& inner) {
  outer = 1;
  inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= dims[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < dims.size(); ++d) inner *= dims[d];
}

}  // namespace

Tensor strided_copy(const StridedCopyArgs& args) {
  Tensor dst = Tensor::empty(args.shape, args.src.dtype(), args.src.device());
  if (dst.size() == 0) return dst;
  const auto loop = cpu::make_broadcast_loop<1>(args.shape, {args.strides});
  launch_gather(elem_size(args.src.dtype()), args.src.data(), args.offset, dst.mutable_data(), dst.size(),
                strided_index(loop, "strided_copy"), stream_of(args.src));
  return dst;
}

Tensor strided_assign(const StridedAssignArgs& args) {
  return assign(args.src, args.shape, args.strides, args.offset, args.value);
}

Tensor concatenate(const Tensors& srcs, int64_t axis) {
  std::vector<int64_t> dims = srcs.at(0).shape().dims();
  int64_t total = 0;
  for (const Tensor& s : srcs) total += s.shape().dims()[static_cast<size_t>(axis)];
  dims[static_cast<size_t>(axis)] = total;
  Tensor dst = Tensor::empty(Shape(dims), srcs[0].dtype(), srcs[0].device());
  if (dst.size() == 0) return dst;
  int64_t outer, inner;
  outer_inner(dims, axis, outer, inner);
  cudaStream_t stream = stream_of(dst);
  int64_t col = 0;
  for (const Tensor& s : srcs) {
    const int64_t row = s.shape().dims()[static_cast<size_t>(axis)] * inner;
    launch_copy_block(elem_size(dst.dtype()), s.data(), dst.mutable_data(), outer, row, total * inner, col, stream);
    col += row;
  }
  return dst;
}

Tensor pad_constant(const Tensor& src, const std::vector<std::pair<int64_t, int64_t>>& pads, double value) {
  std::vector<int64_t> dims = src.shape().dims();
  for (size_t d = 0; d < dims.size(); ++d) dims[d] += pads[d].first + pads[d].second;
  const Shape shape(dims);
  const std::vector<int64_t> strides = contiguous_strides(shape);
  int64_t offset = 0;
  for (size_t d = 0; d < dims.size(); ++d) offset += pads[d].first * strides[d];
  return assign(src, shape, strides, offset, value);
}

Tensor take(const Tensor& src, const Tensor& indices, int64_t axis) {
  const Tensor idx = resolve_indices(indices, src.shape(), axis, "take", src.device());
  const auto& sd = src.shape().dims();
  std::vector<int64_t> dims(sd.begin(), sd.begin() + axis);
  dims.insert(dims.end(), indices.shape().dims().begin(), indices.shape().dims().end());
  dims.insert(dims.end(), sd.begin() + axis + 1, sd.end());
  Tensor dst = Tensor::empty(Shape(dims), src.dtype(), src.device());
  if (dst.size() == 0) return dst;
  int64_t outer, inner;
  outer_inner(sd, axis, outer, inner);
  launch_take(elem_size(src.dtype()), src.data(), static_cast<const int64_t*>(idx.data()), dst.mutable_data(), outer,
              idx.size(), sd[static_cast<size_t>(axis)], inner, stream_of(src));
  return dst;
}

Tensor scatter_add(const Tensor& updates, const Tensor& indices, int64_t axis, const Shape& shape) {
  if (updates.dtype() == DType::bool_) throw ValueError("scatter_add: unsupported dtype bool");
  const Tensor idx = resolve_indices(indices, shape, axis, "scatter_add", updates.device());
  int64_t outer, inner;
  outer_inner(shape.dims(), axis, outer, inner);
  const int64_t k = idx.size();
  if (updates.size() != outer * k * inner) {
    throw ValueError("scatter_add: updates of shape " + updates.shape().str() + " do not match indices of shape " +
                     indices.shape().str() + " into " + shape.str());
  }
  Tensor dst = Tensor::empty(shape, updates.dtype(), updates.device());
  cudaStream_t s = stream_of(updates);
  fill(dst, 0.0, s);
  launch_scatter_add(static_cast<int>(updates.dtype()), updates.data(), static_cast<const int64_t*>(idx.data()),
                     dst.mutable_data(), outer, k, shape.dims()[static_cast<size_t>(axis)], inner, s);
  return dst;
}

}  // namespace keras::kernels::cuda
