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

// softmax over the middle axis of a dense (outer, r, inner) view.
template <class T>
void softmax_middle(const T* src, T* dst, int64_t outer, int64_t r, int64_t inner, bool log) {
  parallel_for(outer * inner, 4 * r, [&](int64_t b, int64_t e) {
    for (int64_t idx = b; idx < e; ++idx) {
      const int64_t o = idx / inner, j = idx % inner;
      const T* s = src + o * r * inner + j;
      T* d = dst + o * r * inner + j;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < r; ++i) m = std::max(m, s[i * inner]);
      if (!std::isfinite(m)) m = 0;
      T sum = 0;
      for (int64_t i = 0; i < r; ++i) {
        const T v = std::exp(s[i * inner] - m);
        sum += v;
        if (!log) d[i * inner] = v;
      }
      if (log) {
        // (x - m) - log(sum), not x - (m + log(sum)): m + log(sum) rounds to the precision of m.
        const T log_sum = std::log(sum);
        for (int64_t i = 0; i < r; ++i) d[i * inner] = (s[i * inner] - m) - log_sum;
      } else {
        const T inv = T{1} / sum;
        for (int64_t i = 0; i < r; ++i) d[i * inner] *= inv;
      }
    }
  });
}

// Branch-free, so it vectorises: a pass costs under a tenth of a softmax.
bool has_nan(const float* p, int64_t n) {
  int found = 0;
  for (int64_t i = 0; i < n; ++i) found |= p[i] != p[i];
  return found != 0;
}

// float32 softmax / log_softmax of a dense (outer, r, inner) view over its middle axis on oneDNN:
// 5-10x the loop on the last axis (where std::exp does not vectorise). Measured against float64, its
// softmax is within 2.5e-6 relative; its log_softmax (a polynomial log) within 4.5e-6 absolute for
// inputs in [-5, 5] and 2e-5 in [-100, 100], where the loop's error is about an ulp of the inputs.
// Returns false where oneDNN has only its reference implementation, which the loop beats.
bool softmax_dnnl(const Tensor& src, const Tensor& dst, int64_t outer, int64_t r, int64_t inner, bool log) {
  static PrimitiveCache<dnnl::primitive> cache;
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  std::string key;
  append_key(key, {log, outer, r, inner});
  const dnnl::memory::desc md = inner == 1 ? dnnl::memory::desc({outer, r}, dt::f32, tag::ab)
                                           : dnnl::memory::desc({outer, r, inner}, dt::f32, tag::abc);
  dnnl::primitive prim = cache.get(key, [&]() -> dnnl::primitive {
    constexpr auto kind = dnnl::prop_kind::forward_inference;
    try {
      if (log) {
        const dnnl::logsoftmax_forward::primitive_desc pd({kind, md, 1}, dnnl_engine());
        if (!std::string_view(pd.impl_info_str()).starts_with("ref")) return dnnl::logsoftmax_forward(pd);
      } else {
        const dnnl::softmax_forward::primitive_desc pd({kind, md, 1}, dnnl_engine());
        if (!std::string_view(pd.impl_info_str()).starts_with("ref")) return dnnl::softmax_forward(pd);
      }
    } catch (const dnnl::error&) {
    }
    return dnnl::primitive();  // empty: this shape stays on the loop
  });
  if (!prim) return false;
  const dnnl::memory src_mem(md, dnnl_engine(), const_cast<void*>(src.data()));
  const dnnl::memory dst_mem(md, dnnl_engine(), dst.mutable_data());
  prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src_mem}, {DNNL_ARG_DST, dst_mem}});
  dnnl_stream().wait();
  return true;
}

}  // namespace

Tensor softmax(const Tensor& src, int64_t axis, bool log) {
  if (src.dtype() != DType::float32 && src.dtype() != DType::float64) {
    return cast(softmax(cast(src, DType::float32), axis, log), src.dtype());
  }
  const auto& sd = src.shape().dims();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= sd[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < sd.size(); ++d) inner *= sd[d];
  const int64_t r = sd.empty() ? 1 : sd[static_cast<size_t>(axis)];
  Tensor dst = Tensor::empty(src.shape(), src.dtype(), src.device());
  if (dst.size() == 0) return dst;
  if (src.dtype() == DType::float32) {
    // oneDNN's log_softmax loses to the loop on rows shorter than 16 (measured 8 vs 6 us at (128, 10)).
    // A NaN row is all NaN in NumPy and in the loop; oneDNN's exp clamps NaN away, so such input
    // takes the loop.
    const float* x = src.data<float>();
    if ((!log || r >= 16) && !has_nan(x, src.size()) && softmax_dnnl(src, dst, outer, r, inner, log)) return dst;
    softmax_middle(src.data<float>(), dst.mutable_data<float>(), outer, r, inner, log);
  } else {
    softmax_middle(src.data<double>(), dst.mutable_data<double>(), outer, r, inner, log);
  }
  return dst;
}

namespace {

void require_floating(const Tensor& t, const char* kernel) {
  if (t.dtype() != DType::float32 && t.dtype() != DType::float64) {
    throw ValueError(std::string(kernel) + ": expected a float32 or float64 tensor, got " +
                     std::string(dtype_name(t.dtype())));
  }
}

// (outer, r, inner) of a dense shape read along `axis`.
void split_at(const Shape& shape, int64_t axis, int64_t& outer, int64_t& r, int64_t& inner) {
  const auto& d = shape.dims();
  outer = 1;
  inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= d[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < d.size(); ++i) inner *= d[i];
  r = d.empty() ? 1 : d[static_cast<size_t>(axis)];
}

// Rows and classes of a (..., classes) output with int64 labels of shape (...), checked.
void xent_rows(const Tensor& output, const Tensor& labels, const char* kernel, int64_t& rows, int64_t& classes) {
  require_floating(output, kernel);
  std::vector<int64_t> expected = output.shape().dims();
  if (expected.empty() || labels.dtype() != DType::int64) {
    throw ValueError(std::string(kernel) + ": expected an output of shape (..., classes) and int64 labels, got " +
                     output.shape().str() + " and " + std::string(dtype_name(labels.dtype())) + " " + labels.shape().str());
  }
  classes = expected.back();
  expected.pop_back();
  if (labels.shape() != Shape(expected)) {
    throw ValueError(std::string(kernel) + ": labels of shape " + Shape(expected).str() + " expected for output " +
                     output.shape().str() + ", got " + labels.shape().str());
  }
  rows = labels.size();
  const int64_t* l = labels.data<int64_t>();
  for (int64_t i = 0; i < rows; ++i) {
    if (l[i] < 0 || l[i] >= classes) {
      throw ValueError(std::string(kernel) + ": label " + std::to_string(l[i]) + " is outside [0, " +
                       std::to_string(classes) + ")");
    }
  }
}

// log(sum(exp(x - m))) over a row of c, with m its maximum (0 when that is not finite), as
// log_softmax computes it.
template <class T>
T shifted_log_sum_exp(const T* x, int64_t c, T& m) {
  m = -std::numeric_limits<T>::infinity();
  for (int64_t j = 0; j < c; ++j) m = std::max(m, x[j]);
  if (!std::isfinite(m)) m = 0;
  T sum = 0;
  for (int64_t j = 0; j < c; ++j) sum += std::exp(x[j] - m);
  return std::log(sum);
}

// The numbers follow the op-by-op forms in losses/crossentropy.cpp, in T: log_softmax picked at the
// label, or p[label] / sum(p) clipped to [eps, 1 - eps] then -log.
template <class T>
void xent_forward(const T* p, const int64_t* labels, T* loss, int64_t rows, int64_t c, bool from_logits, double epsilon) {
  const T lo = static_cast<T>(epsilon), hi = static_cast<T>(1.0 - epsilon);
  parallel_for(rows, 8 * c, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T* x = p + i * c;
      const int64_t l = labels[i];
      if (from_logits) {
        T m;
        const T log_sum = shifted_log_sum_exp(x, c, m);
        loss[i] = -((x[l] - m) - log_sum);
      } else {
        T sum = 0;
        for (int64_t j = 0; j < c; ++j) sum += x[j];
        const T q = std::min(std::max(x[l] / sum, lo), hi);
        loss[i] = -std::log(q);
      }
    }
  });
}

template <class T>
void xent_backward(const T* p, const int64_t* labels, const T* dy, T* dx, int64_t rows, int64_t c, bool from_logits,
                   double epsilon) {
  const T lo = static_cast<T>(epsilon), hi = static_cast<T>(1.0 - epsilon);
  parallel_for(rows, 8 * c, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T* x = p + i * c;
      T* d = dx + i * c;
      const int64_t l = labels[i];
      if (from_logits) {
        // d(-log_softmax[l]) = softmax - onehot(l), times dy.
        T m;
        const T log_sum = shifted_log_sum_exp(x, c, m);
        for (int64_t j = 0; j < c; ++j) d[j] = std::exp((x[j] - m) - log_sum) * dy[i];
        d[l] -= dy[i];
      } else {
        // Through q = p[l] / s: dq/dp[j] = [j == l] / s - p[l] / s^2; clipping passes no gradient.
        T sum = 0;
        for (int64_t j = 0; j < c; ++j) sum += x[j];
        const T q = x[l] / sum;
        const T g = q >= lo && q <= hi ? -dy[i] / q : T{0};
        const T ds = -g * x[l] / (sum * sum);
        for (int64_t j = 0; j < c; ++j) d[j] = ds;
        d[l] += g / sum;
      }
    }
  });
}

}  // namespace

Tensor softmax_backward(const Tensor& y, const Tensor& dy, int64_t axis) {
  require_floating(y, "softmax_backward");
  if (dy.dtype() != y.dtype() || dy.shape() != y.shape() || axis < 0 || axis >= std::max<int64_t>(y.rank(), 1)) {
    throw ValueError("softmax_backward: expected y and dy of one shape and dtype and an axis of them, got " +
                     y.shape().str() + " and " + dy.shape().str() + ", axis " + std::to_string(axis));
  }
  int64_t outer, r, inner;
  split_at(y.shape(), axis, outer, r, inner);
  Tensor dx = Tensor::empty(y.shape(), y.dtype(), y.device());
  if (dx.size() == 0) return dx;
  visit_dtype(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      const T* py = y.data<T>();
      const T* pg = dy.data<T>();
      T* pd = dx.mutable_data<T>();
      parallel_for(outer * inner, 3 * r, [&](int64_t b, int64_t e) {
        for (int64_t idx = b; idx < e; ++idx) {
          const int64_t base = (idx / inner) * r * inner + idx % inner;
          T s = 0;
          for (int64_t i = 0; i < r; ++i) s += pg[base + i * inner] * py[base + i * inner];
          for (int64_t i = 0; i < r; ++i) pd[base + i * inner] = py[base + i * inner] * (pg[base + i * inner] - s);
        }
      });
    }
  });
  return dx;
}

Tensor sparse_crossentropy(const Tensor& output, const Tensor& labels, bool from_logits, double epsilon) {
  int64_t rows, classes;
  xent_rows(output, labels, "sparse_crossentropy", rows, classes);
  Tensor loss = Tensor::empty(labels.shape(), output.dtype(), output.device());
  if (rows == 0) return loss;
  if (output.dtype() == DType::float32) {
    xent_forward(output.data<float>(), labels.data<int64_t>(), loss.mutable_data<float>(), rows, classes, from_logits,
                 epsilon);
  } else {
    xent_forward(output.data<double>(), labels.data<int64_t>(), loss.mutable_data<double>(), rows, classes,
                 from_logits, epsilon);
  }
  return loss;
}

Tensor sparse_crossentropy_backward(const Tensor& output, const Tensor& labels, const Tensor& dy, bool from_logits,
                                    double epsilon) {
  int64_t rows, classes;
  xent_rows(output, labels, "sparse_crossentropy_backward", rows, classes);
  if (dy.dtype() != output.dtype() || dy.shape() != labels.shape()) {
    throw ValueError("sparse_crossentropy_backward: expected dy of shape " + labels.shape().str() + " and dtype " +
                     std::string(dtype_name(output.dtype())) + ", got " + dy.shape().str() + " " +
                     std::string(dtype_name(dy.dtype())));
  }
  Tensor dx = Tensor::empty(output.shape(), output.dtype(), output.device());
  if (dx.size() == 0) return dx;
  if (output.dtype() == DType::float32) {
    xent_backward(output.data<float>(), labels.data<int64_t>(), dy.data<float>(), dx.mutable_data<float>(), rows,
                  classes, from_logits, epsilon);
  } else {
    xent_backward(output.data<double>(), labels.data<int64_t>(), dy.data<double>(), dx.mutable_data<double>(), rows,
                  classes, from_logits, epsilon);
  }
  return dx;
}

}  // namespace keras::kernels::cpu
