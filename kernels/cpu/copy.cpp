#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/loops.h>

#include <algorithm>
#include <cstring>

namespace keras::kernels::cpu {

namespace {

// The copy kernels only move bytes, so they run on an unsigned type of the element's size.
template <class F>
void visit_size(size_t es, F&& f) {
  switch (es) {
    case 1: f(uint8_t{}); break;
    case 2: f(uint16_t{}); break;
    case 4: f(uint32_t{}); break;
    default: f(uint64_t{}); break;
  }
}

// Gathers output rows of `n` elements from src at stride s: a contiguous row is one memcpy, a
// broadcast row (s == 0) one fill.
template <class T>
void gather_rows(const BroadcastLoop<1>& loop, const T* src, int64_t offset, T* dst) {
  const int64_t n = loop.inner();
  const int64_t s = loop.strides[0].back();
  parallel_for(loop.rows(), n, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const T* r = src + offset + loop.row_offsets(row)[0];
      T* d = dst + row * n;
      if (s == 1) {
        std::memcpy(d, r, static_cast<size_t>(n) * sizeof(T));
      } else if (s == 0) {
        std::fill(d, d + n, *r);
      } else {
        for (int64_t i = 0; i < n; ++i) d[i] = r[i * s];
      }
    }
  });
}

// The reverse: rows of a dense src land at their strided places in dst (no two on one element).
template <class T>
void scatter_rows(const BroadcastLoop<1>& loop, const T* src, int64_t offset, T* dst) {
  const int64_t n = loop.inner();
  const int64_t s = loop.strides[0].back();
  parallel_for(loop.rows(), n, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const T* r = src + row * n;
      T* d = dst + offset + loop.row_offsets(row)[0];
      if (s == 1) {
        std::memcpy(d, r, static_cast<size_t>(n) * sizeof(T));
      } else {
        for (int64_t i = 0; i < n; ++i) d[i * s] = r[i];
      }
    }
  });
}

void fill(const Tensor& dst, double value) {
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = element_cast<T>(value);
    T* p = static_cast<T*>(dst.mutable_data());
    parallel_for(dst.size(), 1, [&](int64_t b, int64_t e) { std::fill(p + b, p + e, v); });
  });
}

Tensor assign(const Tensor& src, const Shape& shape, const std::vector<int64_t>& strides, int64_t offset,
              double value) {
  Tensor dst = Tensor::empty(shape, src.dtype(), src.device());
  fill(dst, value);
  if (src.size() == 0) return dst;
  const auto loop = make_broadcast_loop<1>(src.shape(), {strides});
  visit_size(dtype_size(src.dtype()), [&](auto tag) {
    using T = decltype(tag);
    scatter_rows(loop, static_cast<const T*>(src.data()), offset, static_cast<T*>(dst.mutable_data()));
  });
  return dst;
}

int64_t index_at(const Tensor& indices, int64_t i) {
  return indices.dtype() == DType::int64 ? static_cast<const int64_t*>(indices.data())[i]
                                         : static_cast<const int32_t*>(indices.data())[i];
}

// Indices are checked and resolved up front, on one thread: nothing may throw inside a parallel region.
std::vector<int64_t> resolve_indices(const Tensor& indices, const Shape& shape, int64_t axis, const char* op) {
  if (indices.dtype() != DType::int32 && indices.dtype() != DType::int64) {
    throw ValueError(std::string(op) + ": indices must be int32 or int64, got " +
                     std::string(dtype_name(indices.dtype())));
  }
  const int64_t dim = shape.dims()[static_cast<size_t>(axis)];
  std::vector<int64_t> idx(static_cast<size_t>(indices.size()));
  for (int64_t i = 0; i < indices.size(); ++i) {
    const int64_t v = index_at(indices, i);
    if (v < -dim || v >= dim) {
      throw ValueError(std::string(op) + ": index " + std::to_string(v) + " is out of bounds for axis " +
                       std::to_string(axis) + " with size " + std::to_string(dim) + " (shape " + shape.str() + ")");
    }
    idx[static_cast<size_t>(i)] = v < 0 ? v + dim : v;
  }
  return idx;
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
  const auto loop = make_broadcast_loop<1>(args.shape, {args.strides});
  visit_size(dtype_size(args.src.dtype()), [&](auto tag) {
    using T = decltype(tag);
    gather_rows(loop, static_cast<const T*>(args.src.data()), args.offset, static_cast<T*>(dst.mutable_data()));
  });
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
  // View every operand as (outer, its_axis * inner) rows and copy its block into each row of dst.
  int64_t outer, inner;
  outer_inner(dims, axis, outer, inner);
  const int64_t es = static_cast<int64_t>(dtype_size(srcs[0].dtype()));
  const int64_t dst_row = total * inner;
  char* pd = static_cast<char*>(dst.mutable_data());
  int64_t col = 0;
  for (const Tensor& s : srcs) {
    const int64_t row = s.shape().dims()[static_cast<size_t>(axis)] * inner;
    const char* ps = static_cast<const char*>(s.data());
    parallel_for(outer, row, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        std::memcpy(pd + (o * dst_row + col) * es, ps + o * row * es, static_cast<size_t>(row * es));
      }
    });
    col += row;
  }
  return dst;
}

Tensor pad_constant(const Tensor& src, const std::vector<std::pair<int64_t, int64_t>>& pads, double value) {
  std::vector<int64_t> dims = src.shape().dims();
  for (size_t d = 0; d < dims.size(); ++d) dims[d] += pads[d].first + pads[d].second;
  const Shape shape(dims);
  // The interior is a strided view of the padded tensor: its own strides, offset by the leading pads.
  const std::vector<int64_t> strides = contiguous_strides(shape);
  int64_t offset = 0;
  for (size_t d = 0; d < dims.size(); ++d) offset += pads[d].first * strides[d];
  return assign(src, shape, strides, offset, value);
}

Tensor take(const Tensor& src, const Tensor& indices, int64_t axis) {
  const std::vector<int64_t> idx = resolve_indices(indices, src.shape(), axis, "take");
  const auto& sd = src.shape().dims();
  std::vector<int64_t> dims(sd.begin(), sd.begin() + axis);
  dims.insert(dims.end(), indices.shape().dims().begin(), indices.shape().dims().end());
  dims.insert(dims.end(), sd.begin() + axis + 1, sd.end());
  Tensor dst = Tensor::empty(Shape(dims), src.dtype(), src.device());
  if (dst.size() == 0) return dst;
  int64_t outer, inner;
  outer_inner(sd, axis, outer, inner);
  const int64_t dim = sd[static_cast<size_t>(axis)];
  const int64_t k = static_cast<int64_t>(idx.size());
  visit_size(dtype_size(src.dtype()), [&](auto tag) {
    using T = decltype(tag);
    const T* ps = static_cast<const T*>(src.data());
    T* pd = static_cast<T*>(dst.mutable_data());
    parallel_for(outer * k, inner, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const T* s = ps + (r / k * dim + idx[static_cast<size_t>(r % k)]) * inner;
        if (inner == 1) {
          pd[r] = *s;
        } else {
          std::memcpy(pd + r * inner, s, static_cast<size_t>(inner) * sizeof(T));
        }
      }
    });
  });
  return dst;
}

Tensor scatter_add(const Tensor& updates, const Tensor& indices, int64_t axis, const Shape& shape) {
  const std::vector<int64_t> idx = resolve_indices(indices, shape, axis, "scatter_add");
  int64_t outer, inner;
  outer_inner(shape.dims(), axis, outer, inner);
  const int64_t dim = shape.dims()[static_cast<size_t>(axis)];
  const int64_t k = static_cast<int64_t>(idx.size());
  if (updates.size() != outer * k * inner) {
    throw ValueError("scatter_add: updates of shape " + updates.shape().str() + " do not match indices of shape " +
                     indices.shape().str() + " into " + shape.str());
  }
  if (updates.dtype() == DType::bool_) throw ValueError("scatter_add: unsupported dtype bool");
  Tensor dst = Tensor::empty(shape, updates.dtype(), updates.device());
  fill(dst, 0.0);
  visit_dtype(updates.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      const T* pu = static_cast<const T*>(updates.data());
      T* pd = static_cast<T*>(dst.mutable_data());
      // Work items are (outer slice, block of inner columns): repeated indices only ever meet within
      // one item, so items never race, and a scatter along axis 0 (outer == 1) still runs in parallel.
      constexpr int64_t kBlock = 1024;
      const int64_t blocks = (inner + kBlock - 1) / kBlock;
      parallel_for(outer * blocks, k * std::min(inner, kBlock), [&](int64_t b, int64_t e) {
        for (int64_t item = b; item < e; ++item) {
          const int64_t o = item / blocks, c0 = item % blocks * kBlock, c1 = std::min(c0 + kBlock, inner);
          for (int64_t i = 0; i < k; ++i) {
            T* d = pd + (o * dim + idx[static_cast<size_t>(i)]) * inner;
            const T* u = pu + (o * k + i) * inner;
            for (int64_t t = c0; t < c1; ++t) {
              if constexpr (std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>) {
                d[t] = T(static_cast<float>(d[t]) + static_cast<float>(u[t]));
              } else {
                d[t] = static_cast<T>(d[t] + u[t]);
              }
            }
          }
        }
      });
    }
  });
  return dst;
}

}  // namespace keras::kernels::cpu
