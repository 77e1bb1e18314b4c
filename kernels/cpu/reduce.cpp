#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/dnnl_context.h>
#include <keras/kernels/cpu/loops.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace keras::kernels::cpu {

namespace {

// Accumulates in double for floating types so that sums of many float32 values stay accurate;
// bool counts in int32 (cast back to bool, a sum is a logical or, as NumPy's).
template <class T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double,
                               std::conditional_t<std::is_same_v<T, bool>, int32_t, T>>;
// max and min are exact in the element type, and twice as many lanes fit a vector register.
template <ReduceOp Op, class T>
using AccOf = std::conditional_t<(Op == ReduceOp::max || Op == ReduceOp::min) && !std::is_same_v<T, bool>, T, Acc<T>>;

// One reduction fixed at compile time, so the inner loops vectorise.
template <ReduceOp Op, class A>
struct Reducer {
  static A init() {
    using Limits = std::numeric_limits<A>;
    if constexpr (Op == ReduceOp::prod || Op == ReduceOp::all) return A(1);
    else if constexpr (Op == ReduceOp::max) return std::is_floating_point_v<A> ? -Limits::infinity() : Limits::lowest();
    else if constexpr (Op == ReduceOp::min) return std::is_floating_point_v<A> ? Limits::infinity() : Limits::max();
    else return A(0);
  }
  // v is an element or another accumulator. NaN is sticky in max/min, as NumPy: once acc is NaN,
  // no comparison replaces it.
  template <class V>
  static A step(A acc, V v) {
    if constexpr (Op == ReduceOp::sum || Op == ReduceOp::mean) return static_cast<A>(acc + static_cast<A>(v));
    else if constexpr (Op == ReduceOp::prod) return static_cast<A>(acc * static_cast<A>(v));
    else if constexpr (Op == ReduceOp::max) return ((static_cast<A>(v) > acc) | (v != v)) ? static_cast<A>(v) : acc;
    else if constexpr (Op == ReduceOp::min) return ((static_cast<A>(v) < acc) | (v != v)) ? static_cast<A>(v) : acc;
    else if constexpr (Op == ReduceOp::all) return static_cast<A>(acc != A(0) && v != V(0));
    else return static_cast<A>(acc != A(0) || v != V(0));
  }
  static A finish(A acc, int64_t n) {
    if constexpr (Op == ReduceOp::mean) return static_cast<A>(acc / static_cast<A>(n));
    else return acc;
  }
};

// acc[j] = step(acc[j], s[j]): a plain elementwise loop, which the compiler vectorises for every op
// (a single accumulator chain it may not reassociate, and conditional ones it does not vectorise).
template <ReduceOp Op, class A, class T>
void step_columns(A* __restrict acc, const T* __restrict s, int64_t width) {
  for (int64_t j = 0; j < width; ++j) acc[j] = Reducer<Op, A>::step(acc[j], s[j]);
}

// Reduces n contiguous elements as a (n / kLanes, kLanes) block reduced down its columns, then
// across the lanes.
template <ReduceOp Op, class T>
AccOf<Op, T> reduce_span(const T* s, int64_t n) {
  using R = Reducer<Op, AccOf<Op, T>>;
  constexpr int64_t kLanes = 128 / sizeof(AccOf<Op, T>);  // two AVX-512 registers' worth
  const int64_t used = std::min(n, kLanes);
  AccOf<Op, T> lanes[kLanes];
  for (int64_t l = 0; l < used; ++l) lanes[l] = R::init();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) step_columns<Op>(lanes, s + i, kLanes);
  if (i < n) step_columns<Op>(lanes, s + i, n - i);
  AccOf<Op, T> acc = R::init();
  for (int64_t l = 0; l < used; ++l) acc = R::step(acc, lanes[l]);
  return acc;
}

// Reduces a dense (outer, r, inner) view over its middle axis.
template <ReduceOp Op, class T, class D>
void reduce_middle(const T* src, D* dst, int64_t outer, int64_t r, int64_t inner) {
  using R = Reducer<Op, AccOf<Op, T>>;
  if (inner == 1 && outer == 1) {
    // One long reduction: fixed-size blocks in parallel, combined in order, so the result does not
    // depend on the thread count.
    constexpr int64_t kBlock = 1 << 16;
    std::vector<AccOf<Op, T>> partial(static_cast<size_t>((r + kBlock - 1) / kBlock));
    parallel_for(static_cast<int64_t>(partial.size()), kBlock, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        partial[static_cast<size_t>(k)] = reduce_span<Op>(src + k * kBlock, std::min(kBlock, r - k * kBlock));
      }
    });
    AccOf<Op, T> acc = R::init();
    for (const auto& p : partial) acc = R::step(acc, p);
    dst[0] = static_cast<D>(R::finish(acc, r));
    return;
  }
  if (inner == 1) {
    parallel_for(outer, r, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) dst[o] = static_cast<D>(R::finish(reduce_span<Op>(src + o * r, r), r));
    });
    return;
  }
  parallel_for(outer * inner, r, [&](int64_t b, int64_t e) {
    std::vector<AccOf<Op, T>> acc;
    // Each chunk walks whole (outer, inner-range) pieces row by row, so the inner loop is contiguous.
    int64_t idx = b;
    while (idx < e) {
      const int64_t o = idx / inner, j0 = idx % inner;
      const int64_t j1 = std::min(inner, j0 + (e - idx));
      const int64_t width = j1 - j0;
      acc.assign(static_cast<size_t>(width), R::init());
      for (int64_t i = 0; i < r; ++i) step_columns<Op>(acc.data(), src + (o * r + i) * inner + j0, width);
      for (int64_t j = 0; j < width; ++j) dst[o * inner + j0 + j] = static_cast<D>(R::finish(acc[static_cast<size_t>(j)], r));
      idx += width;
    }
  });
}

template <class T, class D>
void reduce_loops(ReduceOp op, const T* src, D* dst, int64_t outer, int64_t r, int64_t inner) {
  switch (op) {
    case ReduceOp::sum: return reduce_middle<ReduceOp::sum>(src, dst, outer, r, inner);
    case ReduceOp::mean: return reduce_middle<ReduceOp::mean>(src, dst, outer, r, inner);
    case ReduceOp::max: return reduce_middle<ReduceOp::max>(src, dst, outer, r, inner);
    case ReduceOp::min: return reduce_middle<ReduceOp::min>(src, dst, outer, r, inner);
    case ReduceOp::prod: return reduce_middle<ReduceOp::prod>(src, dst, outer, r, inner);
    case ReduceOp::all: return reduce_middle<ReduceOp::all>(src, dst, outer, r, inner);
    case ReduceOp::any: return reduce_middle<ReduceOp::any>(src, dst, outer, r, inner);
  }
}

// Below this many elements the primitive's lookup and launch cost more than the loops save
// (measured: even at 8192, 1.5 us either way; 2.9 vs 6.2 us at 32768).
constexpr int64_t kDnnlMinElements = 8192;

// float32 sum and mean over trailing axes, viewed as (outer, r) -> (outer, 1), run on oneDNN's JIT
// reduction: about 2.7x the loops on one core. It accumulates in float32; measured against a double
// sum it stays within 3e-6 relative up to 4e6 elements (the loops: 1e-8). Every other pattern gets
// oneDNN's reference implementation, 10-100x slower than the loops, so it is left to them, as are
// max and min, whose oneDNN versions drop NaN. Returns false when the loops should run.
bool reduce_dnnl(ReduceOp op, const Tensor& src, int64_t outer, int64_t r, const Tensor& dst) {
  static PrimitiveCache<dnnl::reduction> cache;
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  std::string key;
  append_key(key, {static_cast<int64_t>(op), outer, r});
  const dnnl::memory::desc src_md({outer, r}, dt::f32, tag::ab);
  const dnnl::memory::desc dst_md({outer, 1}, dt::f32, tag::ab);
  dnnl::reduction prim = cache.get(key, [&] {
    const auto alg = op == ReduceOp::sum ? dnnl::algorithm::reduction_sum : dnnl::algorithm::reduction_mean;
    try {
      const dnnl::reduction::primitive_desc pd(dnnl::reduction::desc(alg, src_md, dst_md, 0.f, 0.f), dnnl_engine());
      return std::string_view(pd.impl_info_str()).starts_with("ref") ? dnnl::reduction() : dnnl::reduction(pd);
    } catch (const dnnl::error&) {
      return dnnl::reduction();  // an empty primitive: this shape stays on the loops
    }
  });
  if (!prim) return false;
  const dnnl::memory src_mem(src_md, dnnl_engine(), const_cast<void*>(src.data()));
  const dnnl::memory dst_mem(dst_md, dnnl_engine(), dst.mutable_data());
  prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src_mem}, {DNNL_ARG_DST, dst_mem}});
  dnnl_stream().wait();
  return true;
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

  // oneDNN splits a reduction across threads by output rows only; one long row splits better here
  // (in blocks, see reduce_middle) once there are a few cores, and accumulates in double besides.
  const bool long_row = outer == 1 && r >= (int64_t{1} << 17) && omp_get_max_threads() >= 4;
  if (src.dtype() == DType::float32 && (args.op == ReduceOp::sum || args.op == ReduceOp::mean) && inner == 1 &&
      r > 1 && outer * r >= kDnnlMinElements && !long_row && reduce_dnnl(args.op, x, outer, r, dst)) {
    return dst;
  }
  visit_dtype(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, float16_t> && !std::is_same_v<T, bfloat16_t>) {
      if (logical) {
        reduce_loops(args.op, static_cast<const T*>(x.data()), static_cast<bool*>(dst.mutable_data()), outer, r, inner);
      } else {
        reduce_loops(args.op, static_cast<const T*>(x.data()), static_cast<T*>(dst.mutable_data()), outer, r, inner);
      }
    }
  });
  return dst;
}

Tensor arg_reduce(const Tensor& src, int64_t axis, bool keepdims, bool is_max) {
  if (src.dtype() == DType::float16 || src.dtype() == DType::bfloat16) {
    return arg_reduce(cast(src, DType::float32), axis, keepdims, is_max);
  }
  const ArgReduceDims dims = arg_reduce_dims(src.shape(), axis, keepdims);
  const int64_t outer = dims.outer, r = dims.r, inner = dims.inner;
  Tensor dst = Tensor::empty(dims.out, DType::int32, src.device());
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
