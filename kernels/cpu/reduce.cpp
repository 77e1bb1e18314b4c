#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/loops.h>

#include <cmath>
#include <limits>

namespace keras::kernels::cpu {

namespace {

// Accumulates in double for floating types so that sums of many float32 values stay accurate.
template <class T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;

template <class T>
struct Reducer {
  ReduceOp op;
  Acc<T> init() const {
    switch (op) {
      case ReduceOp::prod: case ReduceOp::all: return Acc<T>(1);
      case ReduceOp::max:
        if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<double>::infinity();
        else return std::numeric_limits<T>::lowest();
      case ReduceOp::min:
        if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<double>::infinity();
        else return std::numeric_limits<T>::max();
      default: return Acc<T>(0);
    }
  }
  Acc<T> operator()(Acc<T> acc, T v) const {
    switch (op) {
      case ReduceOp::sum: case ReduceOp::mean: return static_cast<Acc<T>>(acc + v);
      case ReduceOp::prod: return static_cast<Acc<T>>(acc * v);
      case ReduceOp::max:
        if constexpr (std::is_floating_point_v<T>) { if (std::isnan(v) || std::isnan(acc)) return NAN; }
        return v > acc ? v : acc;
      case ReduceOp::min:
        if constexpr (std::is_floating_point_v<T>) { if (std::isnan(v) || std::isnan(acc)) return NAN; }
        return v < acc ? v : acc;
      case ReduceOp::all: return static_cast<Acc<T>>(acc && v != T{0});
      case ReduceOp::any: return static_cast<Acc<T>>(acc || v != T{0});
    }
    return acc;
  }
};

// Reduces a dense (outer, r, inner) view over its middle axis.
template <class T, class R>
void reduce_middle(const T* src, R* dst, int64_t outer, int64_t r, int64_t inner, ReduceOp op) {
  const Reducer<T> red{op};
  const bool mean = op == ReduceOp::mean;
  if (inner == 1) {
    parallel_for(outer, r, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        Acc<T> acc = red.init();
        const T* s = src + o * r;
        for (int64_t i = 0; i < r; ++i) acc = red(acc, s[i]);
        if (mean) acc = static_cast<Acc<T>>(acc / static_cast<Acc<T>>(r));
        dst[o] = static_cast<R>(acc);
      }
    });
    return;
  }
  parallel_for(outer * inner, r, [&](int64_t b, int64_t e) {
    std::vector<Acc<T>> acc;
    // Each chunk walks whole (outer, inner-range) pieces row by row, so the inner loop is contiguous.
    int64_t idx = b;
    while (idx < e) {
      const int64_t o = idx / inner, j0 = idx % inner;
      const int64_t j1 = std::min(inner, j0 + (e - idx));
      acc.assign(static_cast<size_t>(j1 - j0), red.init());
      for (int64_t i = 0; i < r; ++i) {
        const T* s = src + (o * r + i) * inner;
        for (int64_t j = j0; j < j1; ++j) acc[static_cast<size_t>(j - j0)] = red(acc[static_cast<size_t>(j - j0)], s[j]);
      }
      for (int64_t j = j0; j < j1; ++j) {
        Acc<T> v = acc[static_cast<size_t>(j - j0)];
        if (mean) v = static_cast<Acc<T>>(v / static_cast<Acc<T>>(r));
        dst[o * inner + j] = static_cast<R>(v);
      }
      idx += j1 - j0;
    }
  });
}

}  // namespace

Tensor reduce(const ReduceArgs& args) {
  const Tensor& src = args.src;
  const auto& sd = src.shape().dims();
  const bool logical = args.op == ReduceOp::all || args.op == ReduceOp::any;
  if (src.dtype() == DType::float16 || src.dtype() == DType::bfloat16) {
    Tensor r = reduce({args.op, cast(src, DType::float32), args.axes, args.keepdims});
    return logical ? r : cast(r, src.dtype());
  }
  std::vector<bool> reduced(sd.size(), false);
  for (int64_t a : args.axes) reduced[static_cast<size_t>(a)] = true;
  std::vector<int64_t> out_dims;
  for (size_t d = 0; d < sd.size(); ++d) {
    if (!reduced[d]) out_dims.push_back(sd[d]);
    else if (args.keepdims) out_dims.push_back(1);
  }
  Tensor dst = Tensor::empty(Shape(out_dims), logical ? DType::bool_ : src.dtype(), src.device());
  if (dst.size() == 0) return dst;

  // Bring the reduced axes together: if they are not one contiguous block, move them last.
  Tensor x = src;
  int64_t first = args.axes.empty() ? 0 : args.axes.front();
  int64_t last = args.axes.empty() ? 0 : args.axes.back() + 1;
  bool block = static_cast<int64_t>(args.axes.size()) == last - first;
  if (!block) {
    std::vector<int64_t> perm_dims, perm_strides;
    const auto strides = contiguous_strides(src.shape());
    for (size_t d = 0; d < sd.size(); ++d) {
      if (!reduced[d]) { perm_dims.push_back(sd[d]); perm_strides.push_back(strides[d]); }
    }
    for (int64_t a : args.axes) { perm_dims.push_back(sd[static_cast<size_t>(a)]); perm_strides.push_back(strides[static_cast<size_t>(a)]); }
    x = strided_copy({src, Shape(perm_dims), perm_strides, 0});
    first = static_cast<int64_t>(sd.size() - args.axes.size());
    last = static_cast<int64_t>(sd.size());
  }
  const auto& xd = x.shape().dims();
  int64_t outer = 1, r = 1, inner = 1;
  for (int64_t d = 0; d < first; ++d) outer *= xd[static_cast<size_t>(d)];
  for (int64_t d = first; d < last; ++d) r *= xd[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(last); d < xd.size(); ++d) inner *= xd[d];

  visit_dtype(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, float16_t> && !std::is_same_v<T, bfloat16_t>) {
      if (logical) {
        reduce_middle<T, bool>(static_cast<const T*>(x.data()), static_cast<bool*>(dst.mutable_data()), outer, r, inner, args.op);
      } else {
        reduce_middle<T, T>(static_cast<const T*>(x.data()), static_cast<T*>(dst.mutable_data()), outer, r, inner, args.op);
      }
    }
  });
  return dst;
}

Tensor arg_reduce(const Tensor& src, int64_t axis, bool keepdims, bool is_max) {
  if (src.dtype() == DType::float16 || src.dtype() == DType::bfloat16) {
    return arg_reduce(cast(src, DType::float32), axis, keepdims, is_max);
  }
  const auto& sd = src.shape().dims();
  const int64_t r = sd[static_cast<size_t>(axis)];
  if (r == 0) throw ValueError("argmax/argmin: attempt to get the index of an empty axis of shape " + src.shape().str());
  std::vector<int64_t> out_dims;
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < sd.size(); ++d) {
    if (static_cast<int64_t>(d) == axis) {
      if (keepdims) out_dims.push_back(1);
      continue;
    }
    out_dims.push_back(sd[d]);
    (static_cast<int64_t>(d) < axis ? outer : inner) *= sd[d];
  }
  Tensor dst = Tensor::empty(Shape(out_dims), DType::int32, src.device());
  int32_t* pd = dst.mutable_data<int32_t>();
  visit_dtype(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, float16_t> && !std::is_same_v<T, bfloat16_t>) {
      const T* ps = static_cast<const T*>(src.data());
      parallel_for(outer * inner, r, [&](int64_t b, int64_t e) {
        for (int64_t idx = b; idx < e; ++idx) {
          const int64_t o = idx / inner, j = idx % inner;
          const T* s = ps + o * r * inner + j;
          int64_t best = 0;
          for (int64_t i = 1; i < r; ++i) {
            const T v = s[i * inner], cur = s[best * inner];
            bool better = is_max ? v > cur : v < cur;
            if constexpr (std::is_floating_point_v<T>) {
              if (std::isnan(cur)) better = false;
              else if (std::isnan(v)) better = true;  // NaN wins, as NumPy
            }
            if (better) best = i;
          }
          pd[idx] = static_cast<int32_t>(best);
        }
      });
    }
  });
  return dst;
}

}  // namespace keras::kernels::cpu
