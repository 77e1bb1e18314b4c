#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/loops.h>

#include <cstring>

namespace keras::kernels::cpu {

namespace {

// Copies rows of `n` elements of size `es`: contiguous rows become one memcpy.
template <class T>
void copy_rows(const BroadcastLoop<1>& loop, const T* src, int64_t offset, T* dst) {
  const int64_t n = loop.inner();
  const int64_t s = loop.strides[0].back();
  parallel_for(loop.rows(), n, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const T* r = src + offset + loop.row_offsets(row)[0];
      T* d = dst + row * n;
      if (s == 1) {
        std::memcpy(d, r, static_cast<size_t>(n) * sizeof(T));
      } else {
        for (int64_t i = 0; i < n; ++i) d[i] = r[i * s];
      }
    }
  });
}

template <class F>
void visit_size(size_t es, F&& f) {
  switch (es) {
    case 1: f(uint8_t{}); break;
    case 2: f(uint16_t{}); break;
    case 4: f(uint32_t{}); break;
    default: f(uint64_t{}); break;
  }
}

int64_t index_at(const Tensor& indices, int64_t i) {
  return indices.dtype() == DType::int64 ? static_cast<const int64_t*>(indices.data())[i]
                                         : static_cast<const int32_t*>(indices.data())[i];
}

void check_indices(const Tensor& indices, const char* op) {
  if (indices.dtype() != DType::int32 && indices.dtype() != DType::int64) {
    throw ValueError(std::string(op) + ": indices must be int32 or int64, got " +
                     std::string(dtype_name(indices.dtype())));
  }
}

int64_t resolve_index(int64_t idx, int64_t dim, const char* op) {
  if (idx < -dim || idx >= dim) {
    throw ValueError(std::string(op) + ": index " + std::to_string(idx) + " is out of bounds for axis of size " +
                     std::to_string(dim));
  }
  return idx < 0 ? idx + dim : idx;
}

}  // namespace

Tensor strided_copy(const StridedCopyArgs& args) {
  Tensor dst = Tensor::empty(args.shape, args.src.dtype(), args.src.device());
  if (dst.size() == 0) return dst;
  const auto loop = make_broadcast_loop<1>(args.shape, {args.strides});
  visit_size(dtype_size(args.src.dtype()), [&](auto tag) {
    using T = decltype(tag);
    copy_rows(loop, static_cast<const T*>(args.src.data()), args.offset, static_cast<T*>(dst.mutable_data()));
  });
  return dst;
}

Tensor concatenate(const Tensors& srcs, int64_t axis) {
  std::vector<int64_t> dims = srcs.at(0).shape().dims();
  int64_t total = 0;
  for (const Tensor& s : srcs) total += s.shape().dims()[static_cast<size_t>(axis)];
  dims[static_cast<size_t>(axis)] = total;
  Tensor dst = Tensor::empty(Shape(dims), srcs[0].dtype(), srcs[0].device());
  // View every operand as (outer, its_axis * inner) rows and copy its block into each row of dst.
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= dims[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < dims.size(); ++d) inner *= dims[d];
  const size_t es = dtype_size(srcs[0].dtype());
  const int64_t dst_row = total * inner;
  char* pd = static_cast<char*>(dst.mutable_data());
  int64_t col = 0;
  for (const Tensor& s : srcs) {
    const int64_t row = s.shape().dims()[static_cast<size_t>(axis)] * inner;
    const char* ps = static_cast<const char*>(s.data());
    parallel_for(outer, row, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        std::memcpy(pd + (o * dst_row + col) * static_cast<int64_t>(es), ps + o * row * static_cast<int64_t>(es),
                    static_cast<size_t>(row) * es);
      }
    });
    col += row;
  }
  return dst;
}

Tensor pad_constant(const Tensor& src, const std::vector<std::pair<int64_t, int64_t>>& pads, double value) {
  std::vector<int64_t> dims = src.shape().dims();
  for (size_t d = 0; d < dims.size(); ++d) dims[d] += pads[d].first + pads[d].second;
  Tensor dst = Tensor::scalar(value, src.dtype());
  const Tensor fill = dst;
  dst = Tensor::empty(Shape(dims), src.dtype(), src.device());
  const size_t es = dtype_size(src.dtype());
  char* pd = static_cast<char*>(dst.mutable_data());
  for (int64_t i = 0; i < dst.size(); ++i) std::memcpy(pd + i * static_cast<int64_t>(es), fill.data(), es);
  if (src.size() == 0) return dst;
  // Write src into the interior: rows of src's last axis land at their padded offsets.
  const std::vector<int64_t> dst_strides = contiguous_strides(dst.shape());
  int64_t base = 0;
  for (size_t d = 0; d < dims.size(); ++d) base += pads[d].first * dst_strides[d];
  const std::vector<int64_t>& sd = src.shape().dims();
  const int64_t n = sd.empty() ? 1 : sd.back();
  const int64_t rows = src.size() / n;
  const char* ps = static_cast<const char*>(src.data());
  parallel_for(rows, n, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t rem = r, off = base;
      for (size_t d = sd.size() - 1; d-- > 0;) {
        off += (rem % sd[d]) * dst_strides[d];
        rem /= sd[d];
      }
      std::memcpy(pd + off * static_cast<int64_t>(es), ps + r * n * static_cast<int64_t>(es), static_cast<size_t>(n) * es);
    }
  });
  return dst;
}

Tensor take(const Tensor& src, const Tensor& indices, int64_t axis) {
  check_indices(indices, "take");
  const auto& sd = src.shape().dims();
  std::vector<int64_t> dims(sd.begin(), sd.begin() + axis);
  dims.insert(dims.end(), indices.shape().dims().begin(), indices.shape().dims().end());
  dims.insert(dims.end(), sd.begin() + axis + 1, sd.end());
  Tensor dst = Tensor::empty(Shape(dims), src.dtype(), src.device());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= sd[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < sd.size(); ++d) inner *= sd[d];
  const int64_t dim = sd[static_cast<size_t>(axis)];
  const int64_t k = indices.size();
  std::vector<int64_t> idx(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i) idx[static_cast<size_t>(i)] = resolve_index(index_at(indices, i), dim, "take");
  const int64_t es = static_cast<int64_t>(dtype_size(src.dtype()));
  const char* ps = static_cast<const char*>(src.data());
  char* pd = static_cast<char*>(dst.mutable_data());
  parallel_for(outer * k, inner, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t o = r / k, i = r % k;
      std::memcpy(pd + r * inner * es, ps + (o * dim + idx[static_cast<size_t>(i)]) * inner * es,
                  static_cast<size_t>(inner * es));
    }
  });
  return dst;
}

Tensor scatter_add(const Tensor& updates, const Tensor& indices, int64_t axis, const Shape& shape) {
  check_indices(indices, "scatter_add");
  Tensor dst = Tensor::empty(shape, updates.dtype(), updates.device());
  std::memset(dst.mutable_data(), 0, dst.nbytes());
  const auto& sd = shape.dims();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= sd[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < sd.size(); ++d) inner *= sd[d];
  const int64_t dim = sd[static_cast<size_t>(axis)];
  const int64_t k = indices.size();
  if (updates.size() != outer * k * inner) {
    throw ValueError("scatter_add: updates of shape " + updates.shape().str() + " do not match indices of shape " +
                     indices.shape().str() + " into " + shape.str());
  }
  std::vector<int64_t> idx(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i) idx[static_cast<size_t>(i)] = resolve_index(index_at(indices, i), dim, "scatter_add");
  visit_dtype(updates.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>) {
      throw ValueError("scatter_add: unsupported dtype " + std::string(dtype_name(updates.dtype())));
    } else {
      const T* pu = static_cast<const T*>(updates.data());
      T* pd = static_cast<T*>(dst.mutable_data());
      // Parallel over `outer` only: rows with the same index would race within one outer slice.
      parallel_for(outer, k * inner, [&](int64_t b, int64_t e) {
        for (int64_t o = b; o < e; ++o) {
          for (int64_t i = 0; i < k; ++i) {
            T* d = pd + (o * dim + idx[static_cast<size_t>(i)]) * inner;
            const T* u = pu + (o * k + i) * inner;
            for (int64_t t = 0; t < inner; ++t) d[t] += u[t];
          }
        }
      });
    }
  });
  return dst;
}

}  // namespace keras::kernels::cpu
