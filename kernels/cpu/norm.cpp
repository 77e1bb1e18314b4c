#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/dnnl_context.h>
#include <keras/kernels/cpu/loops.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace keras::kernels::cpu {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using flags_t = dnnl::normalization_flags;

// src as (outer, channels, inner) around the channel axis; batch is the first dimension of outer.
struct ChannelView {
  int64_t outer = 1, channels = 1, inner = 1, batch = 1;
};

ChannelView channel_view(const Shape& shape, int64_t axis) {
  ChannelView v;
  const auto& d = shape.dims();
  if (axis > 0) v.batch = d[0];
  for (int64_t i = 0; i < axis; ++i) v.outer *= d[static_cast<size_t>(i)];
  v.channels = d[static_cast<size_t>(axis)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < d.size(); ++i) v.inner *= d[i];
  return v;
}

// Small (C,)-sized operands in the compute dtype; an undefined tensor stays undefined.
Tensor as(const Tensor& t, DType dtype) { return t.defined() && t.dtype() != dtype ? cast(t, dtype) : t; }

void* ptr(const Tensor& t) { return const_cast<void*>(t.data()); }

uint64_t bits_of(double epsilon) { return std::bit_cast<uint64_t>(epsilon); }

dnnl::normalization_flags make_flags(bool scale, bool shift, bool global_stats) {
  auto f = flags_t::none;
  if (scale) f = f | flags_t::use_scale;
  if (shift) f = f | flags_t::use_shift;
  if (global_stats) f = f | flags_t::use_global_stats;
  return f;
}

[[noreturn]] void rethrow(const char* what, const Shape& shape, const dnnl::error& e) {
  throw RuntimeError(std::string(what) + ": oneDNN could not create a primitive for " + shape.str() + ": " + e.what() +
                     " (status " + std::to_string(e.status) + ")");
}

// ---- Batch normalization ----------------------------------------------------------------------

// channels last (inner == 1): (N, C, S, 1) in nhwc, so (N, S, C) row-major; channels first (or any
// middle axis): (outer, C, inner, 1) in nchw. Both are the layouts oneDNN's jit kernels handle.
dnnl::memory::desc bnorm_data_md(const ChannelView& v) {
  if (v.inner == 1) return dnnl::memory::desc({v.batch, v.channels, v.outer / v.batch, 1}, dt::f32, tag::nhwc);
  return dnnl::memory::desc({v.outer, v.channels, v.inner, 1}, dt::f32, tag::nchw);
}

std::string bnorm_key(const dnnl::memory::desc& md, bool inner_layout, dnnl::normalization_flags f, double epsilon) {
  std::string key;
  const auto dims = md.dims();
  append_key(key, {dims[0], dims[1], dims[2], inner_layout, static_cast<int64_t>(f),
                   static_cast<int64_t>(bits_of(epsilon))});
  return key;
}

BatchNormForwardResult bnorm_forward_dnnl(const BatchNormForwardArgs& a, const ChannelView& v) {
  const bool global = a.mean.defined();
  const auto f = make_flags(a.scale.defined(), a.shift.defined(), global);
  const dnnl::memory::desc md = bnorm_data_md(v);
  static PrimitiveCache<dnnl::batch_normalization_forward> cache;
  auto prim = cache.get(bnorm_key(md, v.inner == 1, f, a.epsilon), [&] {
    try {
      const auto kind = global ? dnnl::prop_kind::forward_inference : dnnl::prop_kind::forward_training;
      const dnnl::batch_normalization_forward::desc desc(kind, md, static_cast<float>(a.epsilon), f);
      return dnnl::batch_normalization_forward(dnnl::batch_normalization_forward::primitive_desc(desc, dnnl_engine()));
    } catch (const dnnl::error& e) {
      rethrow("batch_normalization", a.src.shape(), e);
    }
  });
  const Shape c_shape{v.channels};
  BatchNormForwardResult r;
  r.dst = Tensor::empty(a.src.shape(), DType::float32, a.src.device());
  r.mean = global ? as(a.mean, DType::float32) : Tensor::empty(c_shape, DType::float32, a.src.device());
  r.variance = global ? as(a.variance, DType::float32) : Tensor::empty(c_shape, DType::float32, a.src.device());
  const dnnl::memory::desc c_md({v.channels}, dt::f32, tag::a);
  auto& engine = dnnl_engine();
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(md, engine, ptr(a.src))},
                                             {DNNL_ARG_DST, dnnl::memory(md, engine, r.dst.mutable_data())},
                                             {DNNL_ARG_MEAN, dnnl::memory(c_md, engine, ptr(r.mean))},
                                             {DNNL_ARG_VARIANCE, dnnl::memory(c_md, engine, ptr(r.variance))}};
  const Tensor scale = as(a.scale, DType::float32), shift = as(a.shift, DType::float32);
  if (scale.defined()) args.emplace(DNNL_ARG_SCALE, dnnl::memory(c_md, engine, ptr(scale)));
  if (shift.defined()) args.emplace(DNNL_ARG_SHIFT, dnnl::memory(c_md, engine, ptr(shift)));
  prim.execute(dnnl_stream(), args);
  dnnl_stream().wait();
  return r;
}

BatchNormBackwardResult bnorm_backward_dnnl(const BatchNormBackwardArgs& a, const ChannelView& v) {
  const bool use_scale = a.scale.defined();
  const auto f = make_flags(use_scale, a.use_shift, false);
  const dnnl::memory::desc md = bnorm_data_md(v);
  static PrimitiveCache<dnnl::batch_normalization_backward> cache;
  auto prim = cache.get(bnorm_key(md, v.inner == 1, f, a.epsilon), [&] {
    try {
      const float eps = static_cast<float>(a.epsilon);
      const dnnl::batch_normalization_forward::primitive_desc hint(
          {dnnl::prop_kind::forward_training, md, eps, f}, dnnl_engine());
      const auto kind = use_scale || a.use_shift ? dnnl::prop_kind::backward : dnnl::prop_kind::backward_data;
      const dnnl::batch_normalization_backward::desc desc(kind, md, md, eps, f);
      return dnnl::batch_normalization_backward(
          dnnl::batch_normalization_backward::primitive_desc(desc, dnnl_engine(), hint));
    } catch (const dnnl::error& e) {
      rethrow("batch_normalization backward", a.src.shape(), e);
    }
  });
  const Shape c_shape{v.channels};
  const dnnl::memory::desc c_md({v.channels}, dt::f32, tag::a);
  auto& engine = dnnl_engine();
  const Tensor mean = as(a.mean, DType::float32), variance = as(a.variance, DType::float32);
  BatchNormBackwardResult r;
  r.diff_src = Tensor::empty(a.src.shape(), DType::float32, a.src.device());
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(md, engine, ptr(a.src))},
                                             {DNNL_ARG_DIFF_DST, dnnl::memory(md, engine, ptr(a.diff_dst))},
                                             {DNNL_ARG_MEAN, dnnl::memory(c_md, engine, ptr(mean))},
                                             {DNNL_ARG_VARIANCE, dnnl::memory(c_md, engine, ptr(variance))},
                                             {DNNL_ARG_DIFF_SRC, dnnl::memory(md, engine, r.diff_src.mutable_data())}};
  const Tensor scale = as(a.scale, DType::float32);
  if (use_scale) {
    r.diff_scale = Tensor::empty(c_shape, DType::float32, a.src.device());
    args.emplace(DNNL_ARG_SCALE, dnnl::memory(c_md, engine, ptr(scale)));
    args.emplace(DNNL_ARG_DIFF_SCALE, dnnl::memory(c_md, engine, r.diff_scale.mutable_data()));
  }
  // NOTE: oneDNN 2.6 insists on a shift argument when use_shift is set, though the gradients never read it.
  const Tensor unused_shift = a.use_shift ? Tensor::empty(c_shape, DType::float32, a.src.device()) : Tensor();
  if (a.use_shift) {
    r.diff_shift = Tensor::empty(c_shape, DType::float32, a.src.device());
    std::memset(unused_shift.mutable_data(), 0, unused_shift.nbytes());
    args.emplace(DNNL_ARG_SHIFT, dnnl::memory(c_md, engine, unused_shift.mutable_data()));
    args.emplace(DNNL_ARG_DIFF_SHIFT, dnnl::memory(c_md, engine, r.diff_shift.mutable_data()));
  }
  prim.execute(dnnl_stream(), args);
  dnnl_stream().wait();
  return r;
}

// Reference loops: float64 (oneDNN has no f64 normalization) and empty tensors.
template <class T>
BatchNormForwardResult bnorm_forward_loops(const BatchNormForwardArgs& a, const ChannelView& v) {
  const DType dtype = dtype_v<T>;
  const Shape c_shape{v.channels};
  BatchNormForwardResult r;
  r.dst = Tensor::empty(a.src.shape(), dtype, a.src.device());
  const T* x = a.src.data<T>();
  const int64_t n = v.outer * v.inner;
  if (a.mean.defined()) {
    r.mean = as(a.mean, dtype);
    r.variance = as(a.variance, dtype);
  } else {
    r.mean = Tensor::empty(c_shape, dtype, a.src.device());
    r.variance = Tensor::empty(c_shape, dtype, a.src.device());
    T* m = r.mean.template mutable_data<T>();
    T* var = r.variance.template mutable_data<T>();
    parallel_for(v.channels, n, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        T s = 0;
        for (int64_t o = 0; o < v.outer; ++o) {
          const T* p = x + (o * v.channels + c) * v.inner;
          for (int64_t i = 0; i < v.inner; ++i) s += p[i];
        }
        const T mu = n > 0 ? s / static_cast<T>(n) : std::numeric_limits<T>::quiet_NaN();
        T q = 0;
        for (int64_t o = 0; o < v.outer; ++o) {
          const T* p = x + (o * v.channels + c) * v.inner;
          for (int64_t i = 0; i < v.inner; ++i) q += (p[i] - mu) * (p[i] - mu);
        }
        m[c] = mu;
        var[c] = n > 0 ? q / static_cast<T>(n) : std::numeric_limits<T>::quiet_NaN();
      }
    });
  }
  const Tensor scale = as(a.scale, dtype), shift = as(a.shift, dtype);
  const T* m = r.mean.template data<T>();
  const T* var = r.variance.template data<T>();
  const T* g = scale.defined() ? scale.template data<T>() : nullptr;
  const T* bt = shift.defined() ? shift.template data<T>() : nullptr;
  T* y = r.dst.template mutable_data<T>();
  parallel_for(v.outer * v.channels, v.inner, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      const int64_t c = row % v.channels;
      const T inv = (g ? g[c] : T{1}) / std::sqrt(var[c] + static_cast<T>(a.epsilon));
      const T off = (bt ? bt[c] : T{0}) - m[c] * inv;
      for (int64_t i = 0; i < v.inner; ++i) y[row * v.inner + i] = x[row * v.inner + i] * inv + off;
    }
  });
  return r;
}

template <class T>
BatchNormBackwardResult bnorm_backward_loops(const BatchNormBackwardArgs& a, const ChannelView& v) {
  const DType dtype = dtype_v<T>;
  const Shape c_shape{v.channels};
  const Tensor mean = as(a.mean, dtype), variance = as(a.variance, dtype), scale = as(a.scale, dtype);
  const T* x = a.src.data<T>();
  const T* dy = a.diff_dst.data<T>();
  const T* m = mean.data<T>();
  const T* var = variance.data<T>();
  const T* g = scale.defined() ? scale.template data<T>() : nullptr;
  BatchNormBackwardResult r;
  r.diff_src = Tensor::empty(a.src.shape(), dtype, a.src.device());
  const Tensor sum_dy = Tensor::empty(c_shape, dtype), sum_dy_xhat = Tensor::empty(c_shape, dtype);
  T* sd = sum_dy.mutable_data<T>();
  T* sdx = sum_dy_xhat.mutable_data<T>();
  const int64_t n = v.outer * v.inner;
  parallel_for(v.channels, n, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      const T inv = T{1} / std::sqrt(var[c] + static_cast<T>(a.epsilon));
      T s = 0, sx = 0;
      for (int64_t o = 0; o < v.outer; ++o) {
        const int64_t base = (o * v.channels + c) * v.inner;
        for (int64_t i = 0; i < v.inner; ++i) {
          s += dy[base + i];
          sx += dy[base + i] * (x[base + i] - m[c]) * inv;
        }
      }
      sd[c] = s;
      sdx[c] = sx;
    }
  });
  T* dx = r.diff_src.template mutable_data<T>();
  parallel_for(v.outer * v.channels, v.inner, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      const int64_t c = row % v.channels;
      const T inv = T{1} / std::sqrt(var[c] + static_cast<T>(a.epsilon));
      const T k = (g ? g[c] : T{1}) * inv / static_cast<T>(n);
      for (int64_t i = 0; i < v.inner; ++i) {
        const int64_t at = row * v.inner + i;
        const T xhat = (x[at] - m[c]) * inv;
        dx[at] = k * (static_cast<T>(n) * dy[at] - sd[c] - xhat * sdx[c]);
      }
    }
  });
  if (g) r.diff_scale = sum_dy_xhat;
  if (a.use_shift) r.diff_shift = sum_dy;
  return r;
}

// ---- Layer normalization ----------------------------------------------------------------------

std::string lnorm_key(int64_t rows, int64_t cols, dnnl::normalization_flags f, double epsilon) {
  std::string key;
  append_key(key, {rows, cols, static_cast<int64_t>(f), static_cast<int64_t>(bits_of(epsilon))});
  return key;
}

LayerNormForwardResult lnorm_forward_dnnl(const LayerNormForwardArgs& a, int64_t rows) {
  const auto f = make_flags(a.scale.defined(), a.shift.defined(), false);
  const dnnl::memory::desc md({rows, a.cols}, dt::f32, tag::ab);
  const dnnl::memory::desc stat_md({rows}, dt::f32, tag::a);
  static PrimitiveCache<dnnl::layer_normalization_forward> cache;
  auto prim = cache.get(lnorm_key(rows, a.cols, f, a.epsilon), [&] {
    try {
      const dnnl::layer_normalization_forward::desc desc(dnnl::prop_kind::forward_training, md, stat_md,
                                                         static_cast<float>(a.epsilon), f);
      return dnnl::layer_normalization_forward(dnnl::layer_normalization_forward::primitive_desc(desc, dnnl_engine()));
    } catch (const dnnl::error& e) {
      rethrow("layer_normalization", a.src.shape(), e);
    }
  });
  LayerNormForwardResult r;
  r.dst = Tensor::empty(a.src.shape(), DType::float32, a.src.device());
  r.mean = Tensor::empty(Shape{rows}, DType::float32, a.src.device());
  r.variance = Tensor::empty(Shape{rows}, DType::float32, a.src.device());
  const dnnl::memory::desc c_md({a.cols}, dt::f32, tag::a);
  auto& engine = dnnl_engine();
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(md, engine, ptr(a.src))},
                                             {DNNL_ARG_DST, dnnl::memory(md, engine, r.dst.mutable_data())},
                                             {DNNL_ARG_MEAN, dnnl::memory(stat_md, engine, ptr(r.mean))},
                                             {DNNL_ARG_VARIANCE, dnnl::memory(stat_md, engine, ptr(r.variance))}};
  const Tensor scale = as(a.scale, DType::float32), shift = as(a.shift, DType::float32);
  if (scale.defined()) args.emplace(DNNL_ARG_SCALE, dnnl::memory(c_md, engine, ptr(scale)));
  if (shift.defined()) args.emplace(DNNL_ARG_SHIFT, dnnl::memory(c_md, engine, ptr(shift)));
  prim.execute(dnnl_stream(), args);
  dnnl_stream().wait();
  return r;
}

LayerNormBackwardResult lnorm_backward_dnnl(const LayerNormBackwardArgs& a, int64_t rows) {
  const bool use_scale = a.scale.defined();
  const auto f = make_flags(use_scale, a.use_shift, false);
  const dnnl::memory::desc md({rows, a.cols}, dt::f32, tag::ab);
  const dnnl::memory::desc stat_md({rows}, dt::f32, tag::a);
  static PrimitiveCache<dnnl::layer_normalization_backward> cache;
  auto prim = cache.get(lnorm_key(rows, a.cols, f, a.epsilon), [&] {
    try {
      const float eps = static_cast<float>(a.epsilon);
      const dnnl::layer_normalization_forward::primitive_desc hint(
          {dnnl::prop_kind::forward_training, md, stat_md, eps, f}, dnnl_engine());
      const auto kind = use_scale || a.use_shift ? dnnl::prop_kind::backward : dnnl::prop_kind::backward_data;
      const dnnl::layer_normalization_backward::desc desc(kind, md, md, stat_md, eps, f);
      return dnnl::layer_normalization_backward(
          dnnl::layer_normalization_backward::primitive_desc(desc, dnnl_engine(), hint));
    } catch (const dnnl::error& e) {
      rethrow("layer_normalization backward", a.src.shape(), e);
    }
  });
  const dnnl::memory::desc c_md({a.cols}, dt::f32, tag::a);
  auto& engine = dnnl_engine();
  const Tensor mean = as(a.mean, DType::float32), variance = as(a.variance, DType::float32);
  LayerNormBackwardResult r;
  r.diff_src = Tensor::empty(a.src.shape(), DType::float32, a.src.device());
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(md, engine, ptr(a.src))},
                                             {DNNL_ARG_DIFF_DST, dnnl::memory(md, engine, ptr(a.diff_dst))},
                                             {DNNL_ARG_MEAN, dnnl::memory(stat_md, engine, ptr(mean))},
                                             {DNNL_ARG_VARIANCE, dnnl::memory(stat_md, engine, ptr(variance))},
                                             {DNNL_ARG_DIFF_SRC, dnnl::memory(md, engine, r.diff_src.mutable_data())}};
  const Tensor scale = as(a.scale, DType::float32);
  if (use_scale) {
    r.diff_scale = Tensor::empty(a.scale.shape(), DType::float32, a.src.device());
    args.emplace(DNNL_ARG_SCALE, dnnl::memory(c_md, engine, ptr(scale)));
    args.emplace(DNNL_ARG_DIFF_SCALE, dnnl::memory(c_md, engine, r.diff_scale.mutable_data()));
  }
  // NOTE: as for batch normalization, oneDNN wants a shift it does not read.
  const Tensor unused_shift = a.use_shift ? Tensor::empty(Shape{a.cols}, DType::float32, a.src.device()) : Tensor();
  if (a.use_shift) {
    r.diff_shift = Tensor::empty(a.shift_shape, DType::float32, a.src.device());
    std::memset(unused_shift.mutable_data(), 0, unused_shift.nbytes());
    args.emplace(DNNL_ARG_SHIFT, dnnl::memory(c_md, engine, unused_shift.mutable_data()));
    args.emplace(DNNL_ARG_DIFF_SHIFT, dnnl::memory(c_md, engine, r.diff_shift.mutable_data()));
  }
  prim.execute(dnnl_stream(), args);
  dnnl_stream().wait();
  return r;
}

template <class T>
LayerNormForwardResult lnorm_forward_loops(const LayerNormForwardArgs& a, int64_t rows) {
  const DType dtype = dtype_v<T>;
  const int64_t cols = a.cols;
  LayerNormForwardResult r;
  r.dst = Tensor::empty(a.src.shape(), dtype, a.src.device());
  r.mean = Tensor::empty(Shape{rows}, dtype, a.src.device());
  r.variance = Tensor::empty(Shape{rows}, dtype, a.src.device());
  const Tensor scale = as(a.scale, dtype), shift = as(a.shift, dtype);
  const T* x = a.src.data<T>();
  const T* g = scale.defined() ? scale.template data<T>() : nullptr;
  const T* bt = shift.defined() ? shift.template data<T>() : nullptr;
  T* y = r.dst.template mutable_data<T>();
  T* m = r.mean.template mutable_data<T>();
  T* var = r.variance.template mutable_data<T>();
  parallel_for(rows, 3 * cols, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      const T* p = x + row * cols;
      T s = 0;
      for (int64_t j = 0; j < cols; ++j) s += p[j];
      const T mu = s / static_cast<T>(cols);
      T q = 0;
      for (int64_t j = 0; j < cols; ++j) q += (p[j] - mu) * (p[j] - mu);
      m[row] = mu;
      var[row] = q / static_cast<T>(cols);
      const T inv = T{1} / std::sqrt(var[row] + static_cast<T>(a.epsilon));
      for (int64_t j = 0; j < cols; ++j) {
        y[row * cols + j] = (p[j] - mu) * inv * (g ? g[j] : T{1}) + (bt ? bt[j] : T{0});
      }
    }
  });
  return r;
}

template <class T>
LayerNormBackwardResult lnorm_backward_loops(const LayerNormBackwardArgs& a, int64_t rows) {
  const DType dtype = dtype_v<T>;
  const int64_t cols = a.cols;
  const Tensor mean = as(a.mean, dtype), variance = as(a.variance, dtype), scale = as(a.scale, dtype);
  const T* x = a.src.data<T>();
  const T* dy = a.diff_dst.data<T>();
  const T* m = mean.data<T>();
  const T* var = variance.data<T>();
  const T* g = scale.defined() ? scale.template data<T>() : nullptr;
  LayerNormBackwardResult r;
  r.diff_src = Tensor::empty(a.src.shape(), dtype, a.src.device());
  T* dx = r.diff_src.template mutable_data<T>();
  parallel_for(rows, 4 * cols, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      const T inv = T{1} / std::sqrt(var[row] + static_cast<T>(a.epsilon));
      T s = 0, sx = 0;
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t at = row * cols + j;
        const T gy = dy[at] * (g ? g[j] : T{1});
        s += gy;
        sx += gy * (x[at] - m[row]) * inv;
      }
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t at = row * cols + j;
        const T xhat = (x[at] - m[row]) * inv;
        dx[at] = inv / static_cast<T>(cols) * (static_cast<T>(cols) * dy[at] * (g ? g[j] : T{1}) - s - xhat * sx);
      }
    }
  });
  if (g || a.use_shift) {
    std::vector<T> ds(static_cast<size_t>(cols), T{0}), dsh(static_cast<size_t>(cols), T{0});
    for (int64_t row = 0; row < rows; ++row) {
      const T inv = T{1} / std::sqrt(var[row] + static_cast<T>(a.epsilon));
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t at = row * cols + j;
        ds[static_cast<size_t>(j)] += dy[at] * (x[at] - m[row]) * inv;
        dsh[static_cast<size_t>(j)] += dy[at];
      }
    }
    if (g) r.diff_scale = Tensor::from_data(ds.data(), a.scale.shape(), dtype);
    if (a.use_shift) r.diff_shift = Tensor::from_data(dsh.data(), a.shift_shape, dtype);
  }
  return r;
}

// float32 and float64 compute in place; the half types through float32, as Keras runs BN in float32.
bool half(DType d) { return d == DType::float16 || d == DType::bfloat16; }

}  // namespace

BatchNormForwardResult batch_norm_forward(const BatchNormForwardArgs& a) {
  const DType dtype = a.src.dtype();
  if (half(dtype)) {
    const Tensor src = cast(a.src, DType::float32);
    BatchNormForwardResult r = batch_norm_forward({src, a.axis, a.epsilon, a.scale, a.shift, a.mean, a.variance});
    return {cast(r.dst, dtype), cast(r.mean, dtype), cast(r.variance, dtype)};
  }
  const ChannelView v = channel_view(a.src.shape(), a.axis);
  if (dtype == DType::float32 && a.src.size() > 0) return bnorm_forward_dnnl(a, v);
  if (dtype == DType::float32) return bnorm_forward_loops<float>(a, v);
  if (dtype == DType::float64) return bnorm_forward_loops<double>(a, v);
  throw ValueError("batch_normalization kernel: expected a floating tensor, got " + std::string(dtype_name(dtype)));
}

BatchNormBackwardResult batch_norm_backward(const BatchNormBackwardArgs& a) {
  const DType dtype = a.src.dtype();
  if (half(dtype)) {
    const Tensor src = cast(a.src, DType::float32), dy = cast(a.diff_dst, DType::float32);
    BatchNormBackwardResult r =
        batch_norm_backward({src, dy, a.mean, a.variance, a.axis, a.epsilon, a.scale, a.use_shift});
    auto back = [&](const Tensor& t) { return t.defined() ? cast(t, dtype) : t; };
    return {back(r.diff_src), back(r.diff_scale), back(r.diff_shift)};
  }
  const ChannelView v = channel_view(a.src.shape(), a.axis);
  if (dtype == DType::float32 && a.src.size() > 0) return bnorm_backward_dnnl(a, v);
  if (dtype == DType::float32) return bnorm_backward_loops<float>(a, v);
  if (dtype == DType::float64) return bnorm_backward_loops<double>(a, v);
  throw ValueError("batch_normalization kernel: expected a floating tensor, got " + std::string(dtype_name(dtype)));
}

LayerNormForwardResult layer_norm_forward(const LayerNormForwardArgs& a) {
  const DType dtype = a.src.dtype();
  if (half(dtype)) {
    const Tensor src = cast(a.src, DType::float32);
    LayerNormForwardResult r = layer_norm_forward({src, a.cols, a.epsilon, a.scale, a.shift});
    return {cast(r.dst, dtype), cast(r.mean, dtype), cast(r.variance, dtype)};
  }
  const int64_t rows = a.cols > 0 ? a.src.size() / a.cols : 0;
  if (dtype == DType::float32 && rows > 0 && a.cols > 0) return lnorm_forward_dnnl(a, rows);
  if (dtype == DType::float32) return lnorm_forward_loops<float>(a, rows);
  if (dtype == DType::float64) return lnorm_forward_loops<double>(a, rows);
  throw ValueError("layer_normalization kernel: expected a floating tensor, got " + std::string(dtype_name(dtype)));
}

LayerNormBackwardResult layer_norm_backward(const LayerNormBackwardArgs& a) {
  const DType dtype = a.src.dtype();
  if (half(dtype)) {
    const Tensor src = cast(a.src, DType::float32), dy = cast(a.diff_dst, DType::float32);
    LayerNormBackwardResult r =
        layer_norm_backward({src, dy, a.mean, a.variance, a.cols, a.epsilon, a.scale, a.use_shift, a.shift_shape});
    auto back = [&](const Tensor& t) { return t.defined() ? cast(t, dtype) : t; };
    return {back(r.diff_src), back(r.diff_scale), back(r.diff_shift)};
  }
  const int64_t rows = a.cols > 0 ? a.src.size() / a.cols : 0;
  if (dtype == DType::float32 && rows > 0 && a.cols > 0) return lnorm_backward_dnnl(a, rows);
  if (dtype == DType::float32) return lnorm_backward_loops<float>(a, rows);
  if (dtype == DType::float64) return lnorm_backward_loops<double>(a, rows);
  throw ValueError("layer_normalization kernel: expected a floating tensor, got " + std::string(dtype_name(dtype)));
}

}  // namespace keras::kernels::cpu
