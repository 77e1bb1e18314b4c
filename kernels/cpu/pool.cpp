#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/dnnl_context.h>
#include <keras/kernels/cpu/loops.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <unordered_map>

namespace keras::kernels::cpu {

namespace {

// N, C and the spatial sizes of src and dst, whatever the layout.
struct PoolGeometry {
  int64_t n = 0, c = 0;
  std::vector<int64_t> in, out;
};

PoolGeometry make_geometry(const Shape& src_shape, const PoolWindow& w, const char* who) {
  const auto& d = src_shape.dims();
  const size_t k = w.kernel.size();
  if (d.size() != k + 2 || k < 1 || k > 3 || w.strides.size() != k || w.padding_l.size() != k ||
      w.padding_r.size() != k) {
    throw ValueError(std::string(who) + ": expected a rank-3 to rank-5 src with one kernel, stride and padding "
                     "per spatial axis, got src " + src_shape.str() + " and a " + std::to_string(k) + "-D window");
  }
  PoolGeometry g;
  g.n = d[0];
  g.c = w.channels_last ? d.back() : d[1];
  for (size_t i = 0; i < k; ++i) {
    const int64_t in = d[w.channels_last ? i + 1 : i + 2];
    const int64_t span = in + w.padding_l[i] + w.padding_r[i] - w.kernel[i];
    if (w.kernel[i] < 1 || w.strides[i] < 1 || w.padding_l[i] < 0 || w.padding_r[i] < 0 || span < 0) {
      throw ValueError(std::string(who) + ": the window does not fit src " + src_shape.str());
    }
    g.in.push_back(in);
    g.out.push_back(span / w.strides[i] + 1);
  }
  return g;
}

Shape dst_shape(const PoolGeometry& g, bool channels_last) {
  std::vector<int64_t> d{g.n};
  if (!channels_last) d.push_back(g.c);
  d.insert(d.end(), g.out.begin(), g.out.end());
  if (channels_last) d.push_back(g.c);
  return Shape(d);
}

// oneDNN runs float32; its primitives are cached per shape, window and layout.

dnnl::memory::desc plain_md(const PoolGeometry& g, const std::vector<int64_t>& spatial, bool channels_last) {
  using tag = dnnl::memory::format_tag;
  dnnl::memory::dims dims{g.n, g.c};
  dims.insert(dims.end(), spatial.begin(), spatial.end());
  static const tag last[] = {tag::nwc, tag::nhwc, tag::ndhwc};
  static const tag first[] = {tag::ncw, tag::nchw, tag::ncdhw};
  const size_t i = spatial.size() - 1;
  return {dims, dnnl::memory::data_type::f32, channels_last ? last[i] : first[i]};
}

dnnl::algorithm dnnl_algorithm(PoolAlgorithm a) {
  return a == PoolAlgorithm::max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
}

std::string cache_key(PoolAlgorithm a, const PoolGeometry& g, const PoolWindow& w, bool training) {
  std::string key;
  append_key(key, {static_cast<int64_t>(a), training, w.channels_last, g.n, g.c});
  for (const auto* v : {&g.in, &w.kernel, &w.strides, &w.padding_l, &w.padding_r}) {
    key += '|';
    for (int64_t x : *v) append_key(key, {x});
  }
  return key;
}

dnnl::pooling_forward::desc forward_desc(PoolAlgorithm a, const PoolGeometry& g, const PoolWindow& w, bool training) {
  return {training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, dnnl_algorithm(a),
          plain_md(g, g.in, w.channels_last), plain_md(g, g.out, w.channels_last), w.strides, w.kernel,
          w.padding_l, w.padding_r};
}

[[noreturn]] void rethrow(const dnnl::error& e, const char* who, const PoolGeometry& g) {
  std::string in;
  for (int64_t v : g.in) in += std::to_string(v) + ",";
  throw RuntimeError(std::string(who) + ": oneDNN could not create a pooling primitive for N=" + std::to_string(g.n) +
                     " C=" + std::to_string(g.c) + " spatial=(" + in + "): " + e.what() + " (status " +
                     std::to_string(e.status) + ")");
}

struct ForwardPrimitive {
  dnnl::pooling_forward prim;
  dnnl::memory::desc workspace_md;  // zero size unless max pooling for training
};

struct BackwardPrimitive {
  dnnl::pooling_backward prim;
  dnnl::memory::desc workspace_md;
};

PoolForwardResult forward_dnnl(const PoolForwardArgs& a, const PoolGeometry& g, Tensor dst) {
  const bool training = a.training && a.algorithm == PoolAlgorithm::max;
  static PrimitiveCache<ForwardPrimitive> cache;
  const ForwardPrimitive p = cache.get(cache_key(a.algorithm, g, a.window, training), [&] {
    try {
      dnnl::pooling_forward::primitive_desc pd(forward_desc(a.algorithm, g, a.window, training), dnnl_engine());
      return ForwardPrimitive{dnnl::pooling_forward(pd), pd.workspace_desc()};
    } catch (const dnnl::error& e) {
      rethrow(e, "pool_forward", g);
    }
  });
  auto& engine = dnnl_engine();
  const bool channels_last = a.window.channels_last;
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, dnnl::memory(plain_md(g, g.in, channels_last), engine, const_cast<void*>(a.src.data()))},
      {DNNL_ARG_DST, dnnl::memory(plain_md(g, g.out, channels_last), engine, dst.mutable_data())}};
  Tensor workspace;
  if (training) {
    workspace = Tensor::empty(Shape{static_cast<int64_t>(p.workspace_md.get_size())}, DType::uint8, a.src.device());
    args.emplace(DNNL_ARG_WORKSPACE, dnnl::memory(p.workspace_md, engine, workspace.mutable_data()));
  }
  p.prim.execute(dnnl_stream(), args);
  dnnl_stream().wait();
  return {dst, workspace};
}

void backward_dnnl(const PoolBackwardArgs& a, const PoolGeometry& g, const Tensor& diff_src) {
  const PoolWindow& w = a.window;
  static PrimitiveCache<BackwardPrimitive> cache;
  const BackwardPrimitive p = cache.get(cache_key(a.algorithm, g, w, true), [&] {
    try {
      dnnl::pooling_forward::primitive_desc hint(forward_desc(a.algorithm, g, w, true), dnnl_engine());
      dnnl::pooling_backward::desc desc(dnnl_algorithm(a.algorithm), plain_md(g, g.in, w.channels_last),
                                        plain_md(g, g.out, w.channels_last), w.strides, w.kernel, w.padding_l,
                                        w.padding_r);
      dnnl::pooling_backward::primitive_desc pd(desc, dnnl_engine(), hint);
      return BackwardPrimitive{dnnl::pooling_backward(pd), pd.workspace_desc()};
    } catch (const dnnl::error& e) {
      rethrow(e, "pool_backward", g);
    }
  });
  auto& engine = dnnl_engine();
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_DIFF_DST, dnnl::memory(plain_md(g, g.out, w.channels_last), engine, const_cast<void*>(a.diff_dst.data()))},
      {DNNL_ARG_DIFF_SRC, dnnl::memory(plain_md(g, g.in, w.channels_last), engine, diff_src.mutable_data())}};
  if (a.algorithm == PoolAlgorithm::max) {
    if (a.workspace.nbytes() != p.workspace_md.get_size()) {
      throw RuntimeError("pool_backward: the max pooling workspace has " + std::to_string(a.workspace.nbytes()) +
                         " bytes, oneDNN expects " + std::to_string(p.workspace_md.get_size()));
    }
    args.emplace(DNNL_ARG_WORKSPACE, dnnl::memory(p.workspace_md, engine, const_cast<void*>(a.workspace.data())));
  }
  p.prim.execute(dnnl_stream(), args);
  dnnl_stream().wait();
}

// PoolLoops run float64 (oneDNN has no f64 pooling) and max pooling gradients that lack a workspace.

// The window as three spatial axes (missing leading ones of size 1) with element strides for
// src and dst, so one triple loop serves 1-D, 2-D and 3-D and both layouts.
struct PoolLoops {
  int64_t n, c;
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, pad{0, 0, 0};
  std::array<int64_t, 3> src_step{0, 0, 0}, dst_step{0, 0, 0};
  int64_t src_c_step, dst_c_step, src_batch, dst_batch;

  PoolLoops(const PoolGeometry& g, const PoolWindow& w) : n(g.n), c(g.c) {
    const size_t k = g.in.size(), off = 3 - k;
    for (size_t i = 0; i < k; ++i) {
      in[off + i] = g.in[i];
      out[off + i] = g.out[i];
      kernel[off + i] = w.kernel[i];
      stride[off + i] = w.strides[i];
      pad[off + i] = w.padding_l[i];
    }
    const int64_t inner_src = w.channels_last ? c : 1, inner_dst = w.channels_last ? c : 1;
    src_step[2] = inner_src;
    dst_step[2] = inner_dst;
    for (int i = 1; i >= 0; --i) {
      src_step[i] = src_step[i + 1] * in[i + 1];
      dst_step[i] = dst_step[i + 1] * out[i + 1];
    }
    const int64_t src_spatial = in[0] * in[1] * in[2], dst_spatial = out[0] * out[1] * out[2];
    src_c_step = w.channels_last ? 1 : src_spatial;
    dst_c_step = w.channels_last ? 1 : dst_spatial;
    src_batch = src_spatial * c;
    dst_batch = dst_spatial * c;
  }
  int64_t outputs() const { return out[0] * out[1] * out[2]; }

  // Calls f(src_offset) for each in-bounds cell of output position `o` (flat), in row-major order.
  template <class F>
  int64_t for_window(int64_t o, F&& f) const {
    const int64_t o2 = o % out[2], o1 = (o / out[2]) % out[1], o0 = o / (out[2] * out[1]);
    const std::array<int64_t, 3> pos{o0, o1, o2};
    std::array<int64_t, 3> lo{}, hi{};
    for (int i = 0; i < 3; ++i) {
      lo[i] = std::max<int64_t>(pos[i] * stride[i] - pad[i], 0);
      hi[i] = std::min<int64_t>(pos[i] * stride[i] - pad[i] + kernel[i], in[i]);
    }
    for (int64_t a = lo[0]; a < hi[0]; ++a) {
      for (int64_t b = lo[1]; b < hi[1]; ++b) {
        for (int64_t d = lo[2]; d < hi[2]; ++d) f(a * src_step[0] + b * src_step[1] + d * src_step[2]);
      }
    }
    return (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
  }
  int64_t dst_offset(int64_t o) const {
    const int64_t o2 = o % out[2], o1 = (o / out[2]) % out[1], o0 = o / (out[2] * out[1]);
    return o0 * dst_step[0] + o1 * dst_step[1] + o2 * dst_step[2];
  }
};

template <class T>
void forward_loops(PoolAlgorithm alg, const PoolLoops& l, const T* src, T* dst) {
  const int64_t positions = l.outputs();
  const int64_t window = l.kernel[0] * l.kernel[1] * l.kernel[2];
  parallel_for(l.n * positions, l.c * window, [&](int64_t begin, int64_t end) {
    std::vector<T> acc(static_cast<size_t>(l.c));
    for (int64_t i = begin; i < end; ++i) {
      const int64_t b = i / positions, o = i % positions;
      const T* s = src + b * l.src_batch;
      std::fill(acc.begin(), acc.end(), alg == PoolAlgorithm::max ? -std::numeric_limits<T>::infinity() : T{0});
      const int64_t count = l.for_window(o, [&](int64_t off) {
        for (int64_t ch = 0; ch < l.c; ++ch) {
          const T v = s[off + ch * l.src_c_step];
          T& a = acc[static_cast<size_t>(ch)];
          if (alg == PoolAlgorithm::avg) {
            a += v;
          } else if (v > a || v != v) {  // NaN propagates, as TensorFlow's max pooling
            a = v;
          }
        }
      });
      T* d = dst + b * l.dst_batch + l.dst_offset(o);
      for (int64_t ch = 0; ch < l.c; ++ch) {
        const T a = acc[static_cast<size_t>(ch)];
        d[ch * l.dst_c_step] = alg == PoolAlgorithm::avg ? a / static_cast<T>(count) : a;
      }
    }
  });
}

// Each batch element's windows may overlap, so threads split the batch only.
template <class T>
void backward_loops(PoolAlgorithm alg, const PoolLoops& l, const T* diff_dst, const T* src, T* diff_src) {
  const int64_t positions = l.outputs();
  std::memset(diff_src, 0, static_cast<size_t>(l.n * l.src_batch) * sizeof(T));
  parallel_for(l.n, positions * l.c * l.kernel[0] * l.kernel[1] * l.kernel[2], [&](int64_t begin, int64_t end) {
    std::vector<T> best(static_cast<size_t>(l.c));
    std::vector<int64_t> where(static_cast<size_t>(l.c));
    for (int64_t b = begin; b < end; ++b) {
      T* ds = diff_src + b * l.src_batch;
      for (int64_t o = 0; o < positions; ++o) {
        const T* dd = diff_dst + b * l.dst_batch + l.dst_offset(o);
        if (alg == PoolAlgorithm::avg) {
          const int64_t count = l.for_window(o, [](int64_t) {});
          l.for_window(o, [&](int64_t off) {
            for (int64_t ch = 0; ch < l.c; ++ch) ds[off + ch * l.src_c_step] += dd[ch * l.dst_c_step] / static_cast<T>(count);
          });
          continue;
        }
        const T* s = src + b * l.src_batch;
        std::fill(best.begin(), best.end(), -std::numeric_limits<T>::infinity());
        std::fill(where.begin(), where.end(), int64_t{-1});
        l.for_window(o, [&](int64_t off) {
          for (int64_t ch = 0; ch < l.c; ++ch) {
            const T v = s[off + ch * l.src_c_step];
            const size_t k = static_cast<size_t>(ch);
            if (where[k] < 0 || v > best[k]) {
              best[k] = v;
              where[k] = off + ch * l.src_c_step;
            }
          }
        });
        for (int64_t ch = 0; ch < l.c; ++ch) ds[where[static_cast<size_t>(ch)]] += dd[ch * l.dst_c_step];
      }
    }
  });
}

void require_floating_src(const Tensor& t, const char* who) {
  const DType d = t.dtype();
  if (d != DType::float32 && d != DType::float64 && d != DType::float16 && d != DType::bfloat16) {
    throw ValueError(std::string(who) + ": expected a floating tensor, got " + std::string(dtype_name(d)) + " of shape " +
                     t.shape().str());
  }
}

}  // namespace

PoolForwardResult pool_forward(const PoolForwardArgs& a) {
  require_floating_src(a.src, "pool_forward");
  const DType dtype = a.src.dtype();
  if (dtype == DType::float16 || dtype == DType::bfloat16) {
    const Tensor src = cast(a.src, DType::float32);
    PoolForwardResult r = pool_forward({a.algorithm, src, a.window, a.training});
    return {cast(r.dst, dtype), r.workspace};
  }
  const PoolGeometry g = make_geometry(a.src.shape(), a.window, "pool_forward");
  Tensor dst = Tensor::empty(dst_shape(g, a.window.channels_last), dtype, a.src.device());
  if (dst.size() == 0) return {dst, Tensor()};
  if (dtype == DType::float32) return forward_dnnl(a, g, dst);
  forward_loops<double>(a.algorithm, PoolLoops(g, a.window), static_cast<const double*>(a.src.data()),
                        static_cast<double*>(dst.mutable_data()));
  return {dst, Tensor()};
}

Tensor pool_backward(const PoolBackwardArgs& a) {
  require_floating_src(a.diff_dst, "pool_backward");
  const DType dtype = a.diff_dst.dtype();
  const bool is_max = a.algorithm == PoolAlgorithm::max;
  if (is_max && !a.workspace.defined() && !a.src.defined()) {
    throw ValueError("pool_backward: max pooling needs the forward's workspace or its src");
  }
  if (dtype == DType::float16 || dtype == DType::bfloat16) {
    const Tensor diff_dst = cast(a.diff_dst, DType::float32);
    const Tensor src = a.src.defined() ? cast(a.src, DType::float32) : Tensor();
    return cast(pool_backward({a.algorithm, diff_dst, a.src_shape, a.window, src, a.workspace}), dtype);
  }
  const PoolGeometry g = make_geometry(a.src_shape, a.window, "pool_backward");
  if (a.diff_dst.shape() != dst_shape(g, a.window.channels_last)) {
    throw ValueError("pool_backward: diff_dst has shape " + a.diff_dst.shape().str() + ", expected " +
                     dst_shape(g, a.window.channels_last).str());
  }
  if (a.src.defined() && (a.src.shape() != a.src_shape || a.src.dtype() != dtype)) {
    throw ValueError("pool_backward: src " + a.src.shape().str() + " does not match src_shape " + a.src_shape.str() +
                     " and diff_dst's dtype");
  }
  Tensor diff_src = Tensor::empty(a.src_shape, dtype, a.diff_dst.device());
  if (diff_src.size() == 0) return diff_src;
  if (a.diff_dst.size() == 0) {
    std::memset(diff_src.mutable_data(), 0, diff_src.nbytes());
    return diff_src;
  }
  if (dtype == DType::float32 && (!is_max || a.workspace.defined())) {
    backward_dnnl(a, g, diff_src);
    return diff_src;
  }
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      backward_loops<T>(a.algorithm, PoolLoops(g, a.window), static_cast<const T*>(a.diff_dst.data()),
                        a.src.defined() ? static_cast<const T*>(a.src.data()) : nullptr,
                        static_cast<T*>(diff_src.mutable_data()));
    }
  });
  return diff_src;
}

}  // namespace keras::kernels::cpu
