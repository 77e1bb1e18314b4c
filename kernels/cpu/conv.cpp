#include <keras/kernels/conv_dims.h>
#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/dnnl_context.h>
#include <keras/kernels/cpu/loops.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

namespace keras::kernels::cpu {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

using Dims = ConvDims;

Shape act_shape(const Dims& d, int64_t channels, const std::vector<int64_t>& spatial, bool channels_first) {
  std::vector<int64_t> s{d.n};
  if (channels_first) s.push_back(channels);
  s.insert(s.end(), spatial.begin(), spatial.end());
  if (!channels_first) s.push_back(channels);
  return Shape(s);
}

void check_shape(const Shape& got, const Shape& want, const char* kernel, const char* what) {
  if (got != want) {
    throw ValueError(std::string(kernel) + ": expected " + what + " of shape " + want.str() + ", got " + got.str());
  }
}

// ---- oneDNN (float32) ----

// The activations' descriptor in the user's layout, or (`user_layout` false) in whichever layout the
// primitive prefers.
dnnl::memory::desc act_md(const Dims& d, int64_t channels, const std::vector<int64_t>& spatial, bool channels_first,
                          dt type = dt::f32, bool user_layout = true) {
  dnnl::memory::dims dims{d.n, channels};
  dims.insert(dims.end(), spatial.begin(), spatial.end());
  static constexpr tag first[] = {tag::ncw, tag::nchw, tag::ncdhw};
  static constexpr tag last[] = {tag::nwc, tag::nhwc, tag::ndhwc};
  return {dims, type, user_layout ? (channels_first ? first : last)[d.nsp - 1] : tag::any};
}

dnnl::memory::dims weights_dims(const Dims& d) {
  dnnl::memory::dims dims;
  if (d.groups > 1) dims.push_back(d.groups);
  dims.push_back(d.o / d.groups);
  dims.push_back(d.c / d.groups);
  dims.insert(dims.end(), d.k.begin(), d.k.end());
  return dims;
}

// Keras's (*k, C / groups, O) buffer described to oneDNN by strides: output channel stride 1, input
// channel stride O, the kernel axes outermost (a group is a run of O / groups output channels).
dnnl::memory::desc keras_weights_md(const Dims& d, dt type = dt::f32) {
  dnnl::memory::dims strides;
  if (d.groups > 1) strides.push_back(d.o / d.groups);
  strides.push_back(1);
  strides.push_back(d.o);
  std::vector<int64_t> ks(d.nsp);
  int64_t step = d.o * (d.c / d.groups);
  for (size_t i = d.nsp; i-- > 0;) {
    ks[i] = step;
    step *= d.k[i];
  }
  strides.insert(strides.end(), ks.begin(), ks.end());
  return {weights_dims(d), type, strides};
}

dnnl::memory::dims to_dims(const std::vector<int64_t>& v, int64_t minus = 0) {
  dnnl::memory::dims out;
  for (int64_t x : v) out.push_back(x - minus);
  return out;
}

std::string primitive_key(const Dims& d, const ConvGeometry& g, std::initializer_list<int64_t> extra) {
  std::string key;
  append_key(key, {d.n, d.c, d.o, d.groups, g.channels_first});
  for (size_t i = 0; i < d.nsp; ++i) {
    append_key(key, {d.in[i], d.k[i], g.strides[i], g.dilation[i], g.padding_l[i], g.padding_r[i]});
  }
  append_key(key, extra);
  return key;
}

[[noreturn]] void dnnl_failure(const char* kernel, const Dims& d, const ConvGeometry& g, const dnnl::error& e) {
  throw RuntimeError(std::string(kernel) + ": oneDNN could not create a primitive for N=" + std::to_string(d.n) +
                     ", C=" + std::to_string(d.c) + ", O=" + std::to_string(d.o) + ", " + geometry_str(g) + ": " +
                     e.what() + " (status " + std::to_string(e.status) + ")");
}

// `type` is the data type of every operand: f32, or bf16 (oneDNN accumulates bf16 in float32).
// `user_layouts` false lets the primitive choose its activations' layouts (Winograd's are blocked).
dnnl::convolution_forward::primitive_desc forward_pd(const Dims& d, const ConvGeometry& g, bool bias,
                                                     ConvActivation activation, dt type = dt::f32,
                                                     dnnl::algorithm algorithm = dnnl::algorithm::convolution_direct,
                                                     bool user_layouts = true) {
  const dnnl::memory::desc weights(weights_dims(d), type, tag::any);
  const dnnl::memory::desc bias_md = bias ? dnnl::memory::desc({d.o}, type, tag::x) : dnnl::memory::desc();
  const dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_training, algorithm, act_md(d, d.c, d.in, g.channels_first, type, user_layouts),
      weights, bias_md, act_md(d, d.o, d.out, g.channels_first, type, user_layouts), to_dims(g.strides),
      to_dims(g.dilation, 1), to_dims(g.padding_l), to_dims(g.padding_r));
  dnnl::primitive_attr attr;
  if (activation == ConvActivation::relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  return {desc, attr, dnnl_engine()};
}

struct Forward {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
};
struct BackwardData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
};
struct BackwardWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  dnnl::reorder to_keras;  // from the primitive's diff_weights layout, when it is not Keras's
  // From the user's activation layouts to the primitive's (Winograd's are blocked), when they differ.
  dnnl::reorder src_in, diff_dst_in;
};

// A reorder primitive per (key, layouts), built once.
dnnl::reorder cached_reorder(const std::string& key, const dnnl::memory::desc& from, const dnnl::memory::desc& to) {
  static PrimitiveCache<dnnl::reorder> cache;
  return cache.get(key, [&] { return dnnl::reorder(dnnl::reorder::primitive_desc(dnnl_engine(), from, dnnl_engine(), to)); });
}

// Weights in the layout a primitive wants. A reordered copy is kept per weights buffer, so a kernel is
// reordered once between optimizer updates however often the forward and backward passes read it.
// The cache holds each buffer strongly: optimizers update a variable in place only when nothing else
// shares its buffer (Variable::writable_value), so holding it makes an update go to a fresh buffer
// and a cached copy can never go stale. An entry whose buffer nobody else holds any more is dropped.
// `key` names the reorder primitive (built once per primitive that asks).
class ReorderedWeights {
 public:
  dnnl::memory get(const Tensor& w, const std::string& key, const dnnl::memory::desc& user,
                   const dnnl::memory::desc& want) {
    auto& engine = dnnl_engine();
    dnnl::memory user_mem(user, engine, const_cast<void*>(w.data()));
    if (user == want) return user_mem;
    std::lock_guard<std::mutex> lock(mutex_);
    std::erase_if(entries_, [](const Entry& e) { return e.storage.use_count() == 1; });
    const std::shared_ptr<Storage>& storage = w.storage();
    for (const Entry& e : entries_) {
      if (e.storage == storage && e.offset == w.offset() && e.user == user && e.want == want) return e.memory;
    }
    dnnl::memory out(want, engine);
    cached_reorder("w" + key, user, want).execute(dnnl_stream(), user_mem, out);
    dnnl_stream().wait();
    if (entries_.size() >= kCapacity) entries_.pop_front();
    entries_.push_back({storage, w.offset(), user, want, out});
    return out;
  }

 private:
  struct Entry {
    std::shared_ptr<Storage> storage;
    size_t offset;
    dnnl::memory::desc user, want;
    dnnl::memory memory;
  };
  static constexpr size_t kCapacity = 64;
  std::mutex mutex_;
  std::deque<Entry> entries_;
};

ReorderedWeights& reordered_weights() {
  static ReorderedWeights cache;
  return cache;
}

void forward_dnnl(const ConvForwardArgs& a, const Dims& d, const Tensor& dst, dt type = dt::f32) {
  const bool bias = a.bias.defined();
  const std::string key =
      primitive_key(d, a.geometry, {1, bias, static_cast<int64_t>(a.activation), static_cast<int64_t>(type)});
  static PrimitiveCache<Forward> cache;
  const Forward f = cache.get(key, [&] {
    try {
      auto pd = forward_pd(d, a.geometry, bias, a.activation, type);
      return Forward{pd, dnnl::convolution_forward(pd)};
    } catch (const dnnl::error& e) {
      dnnl_failure("conv_forward", d, a.geometry, e);
    }
  });
  auto& engine = dnnl_engine();
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, dnnl::memory(f.pd.src_desc(), engine, const_cast<void*>(a.src.data()))},
      {DNNL_ARG_WEIGHTS, reordered_weights().get(a.weights, key, keras_weights_md(d, type), f.pd.weights_desc())},
      {DNNL_ARG_DST, dnnl::memory(f.pd.dst_desc(), engine, dst.mutable_data())}};
  if (bias) args.emplace(DNNL_ARG_BIAS, dnnl::memory(f.pd.bias_desc(), engine, const_cast<void*>(a.bias.data())));
  f.prim.execute(dnnl_stream(), args);
  dnnl_stream().wait();
}

void backward_data_dnnl(const ConvBackwardDataArgs& a, const Dims& d, const Tensor& diff_src, dt type = dt::f32) {
  const std::string key = primitive_key(d, a.geometry, {2, static_cast<int64_t>(type)});
  static PrimitiveCache<BackwardData> cache;
  const BackwardData b = cache.get(key, [&] {
    try {
      const auto& g = a.geometry;
      const dnnl::convolution_backward_data::desc desc(
          dnnl::algorithm::convolution_direct, act_md(d, d.c, d.in, g.channels_first, type),
          dnnl::memory::desc(weights_dims(d), type, tag::any), act_md(d, d.o, d.out, g.channels_first, type),
          to_dims(g.strides), to_dims(g.dilation, 1), to_dims(g.padding_l), to_dims(g.padding_r));
      dnnl::convolution_backward_data::primitive_desc pd(desc, dnnl_engine(),
                                                         forward_pd(d, g, false, ConvActivation::none, type));
      return BackwardData{pd, dnnl::convolution_backward_data(pd)};
    } catch (const dnnl::error& e) {
      dnnl_failure("conv_backward_data", d, a.geometry, e);
    }
  });
  auto& engine = dnnl_engine();
  b.prim.execute(dnnl_stream(),
                 {{DNNL_ARG_DIFF_DST, dnnl::memory(b.pd.diff_dst_desc(), engine, const_cast<void*>(a.diff_dst.data()))},
                  {DNNL_ARG_WEIGHTS, reordered_weights().get(a.weights, key, keras_weights_md(d, type), b.pd.weights_desc())},
                  {DNNL_ARG_DIFF_SRC, dnnl::memory(b.pd.diff_src_desc(), engine, diff_src.mutable_data())}});
  dnnl_stream().wait();
}

// The primitive for one convolution's weights gradient with `algorithm`, its activations in the
// user's layouts or (`user_layouts` false) in whichever layouts the primitive prefers.
dnnl::convolution_backward_weights::primitive_desc backward_weights_pd(const Dims& d, const ConvGeometry& g,
                                                                       bool with_bias, dnnl::algorithm algorithm,
                                                                       bool user_layouts, dt type) {
  const dnnl::memory::desc src = act_md(d, d.c, d.in, g.channels_first, type, user_layouts);
  const dnnl::memory::desc dst = act_md(d, d.o, d.out, g.channels_first, type, user_layouts);
  const dnnl::memory::desc weights(weights_dims(d), type, tag::any);
  const dnnl::memory::desc bias = with_bias ? dnnl::memory::desc({d.o}, type, tag::x) : dnnl::memory::desc();
  const auto strides = to_dims(g.strides), dilation = to_dims(g.dilation, 1), pad_l = to_dims(g.padding_l),
             pad_r = to_dims(g.padding_r);
  // The forward hint names the same algorithm and layouts.
  const auto hint = forward_pd(d, g, with_bias, ConvActivation::none, type, algorithm, user_layouts);
  const auto desc = with_bias ? dnnl::convolution_backward_weights::desc(algorithm, src, weights, bias, dst, strides,
                                                                         dilation, pad_l, pad_r)
                              : dnnl::convolution_backward_weights::desc(algorithm, src, weights, dst, strides,
                                                                         dilation, pad_l, pad_r);
  return {desc, dnnl_engine(), hint};
}

// float32 weights' gradients with 16 or more input and output channels take oneDNN's Winograd kernel
// (F(4x4, 3x3): 3x3 kernels, stride 1, no dilation, groups 1) wherever it has one: with the reorders
// of both activations into its blocked layouts it measured 1.1-1.9x faster than the direct kernel in
// every shape tried (16 to 256 channels, 8x8 to 32x32 images, batches 16 to 1000; Keras's simple
// CNN's second layer: 2.1 -> 1.2-1.3 ms at batch 128), and it agrees with the direct kernel to ~1e-6
// of the gradient's scale. Fewer channels are padded to 16 inside it, untried. Its forward and
// data-gradient kernels are not used: behind the same reorders they were slower in some of those shapes.
void backward_weights_dnnl(const ConvBackwardWeightsArgs& a, const Dims& d, const Tensor& diff_weights,
                           const Tensor& diff_bias, dt type = dt::f32) {
  const std::string key = primitive_key(d, a.geometry, {3, a.with_bias, static_cast<int64_t>(type)});
  static PrimitiveCache<BackwardWeights> cache;
  const auto& g = a.geometry;
  const dnnl::memory::desc user_src = act_md(d, d.c, d.in, g.channels_first, type);
  const dnnl::memory::desc user_dst = act_md(d, d.o, d.out, g.channels_first, type);
  BackwardWeights b = cache.get(key, [&] {
    dnnl::convolution_backward_weights::primitive_desc pd;
    if (type == dt::f32 && d.groups == 1 && d.c >= 16 && d.o >= 16) {
      try {
        pd = backward_weights_pd(d, g, a.with_bias, dnnl::algorithm::convolution_winograd, false, type);
      } catch (const dnnl::error&) {
        // oneDNN has no Winograd kernel for this shape or CPU: the direct one below.
      }
    }
    try {
      if (!pd) pd = backward_weights_pd(d, g, a.with_bias, dnnl::algorithm::convolution_direct, true, type);
      auto reorder = [](const dnnl::memory::desc& from, const dnnl::memory::desc& to) {
        return from == to ? dnnl::reorder()
                          : dnnl::reorder(dnnl::reorder::primitive_desc(dnnl_engine(), from, dnnl_engine(), to));
      };
      return BackwardWeights{pd, dnnl::convolution_backward_weights(pd),
                             reorder(pd.diff_weights_desc(), keras_weights_md(d, type)),
                             reorder(user_src, pd.src_desc()), reorder(user_dst, pd.diff_dst_desc())};
    } catch (const dnnl::error& e) {
      dnnl_failure("conv_backward_weights", d, a.geometry, e);
    }
  });
  auto& engine = dnnl_engine();
  // An activation in the primitive's layout: the user's buffer, or a copy in a pooled buffer.
  auto operand = [&](const Tensor& t, const dnnl::memory::desc& user, const dnnl::memory::desc& want,
                     const dnnl::reorder& in, Tensor& scratch) {
    dnnl::memory user_mem(user, engine, const_cast<void*>(t.data()));
    if (!in) return user_mem;
    scratch = Tensor::empty(Shape{static_cast<int64_t>((want.get_size() + 3) / 4)}, DType::float32, t.device());
    dnnl::memory out(want, engine, scratch.mutable_data());
    in.execute(dnnl_stream(), user_mem, out);
    return out;
  };
  Tensor src_copy, diff_dst_copy;
  dnnl::memory keras_mem(keras_weights_md(d, type), engine, diff_weights.mutable_data());
  dnnl::memory weights_mem = b.to_keras ? dnnl::memory(b.pd.diff_weights_desc(), engine) : keras_mem;
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, operand(a.src, user_src, b.pd.src_desc(), b.src_in, src_copy)},
      {DNNL_ARG_DIFF_DST, operand(a.diff_dst, user_dst, b.pd.diff_dst_desc(), b.diff_dst_in, diff_dst_copy)},
      {DNNL_ARG_DIFF_WEIGHTS, weights_mem}};
  if (a.with_bias) args.emplace(DNNL_ARG_DIFF_BIAS, dnnl::memory(b.pd.diff_bias_desc(), engine, diff_bias.mutable_data()));
  b.prim.execute(dnnl_stream(), args);
  if (b.to_keras) b.to_keras.execute(dnnl_stream(), weights_mem, keras_mem);
  dnnl_stream().wait();
}

// ---- Reference loops (float64, and any size oneDNN is not asked to do) ----

// Sizes and element strides with the spatial axes padded in front to three, so one loop nest serves 1-D to 3-D.
struct ConvLoops {
  int64_t n, c, o, cg, og;
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, k{1, 1, 1}, s{1, 1, 1}, dl{1, 1, 1}, pl{0, 0, 0};
  int64_t x_n, x_c, y_n, y_c;
  std::array<int64_t, 3> x_sp{0, 0, 0}, y_sp{0, 0, 0}, w_k{0, 0, 0};  // w: input channel stride o, output 1
  int64_t in_positions() const { return in[0] * in[1] * in[2]; }
  int64_t out_positions() const { return out[0] * out[1] * out[2]; }
};

void act_strides(const std::array<int64_t, 3>& sp, int64_t channels, bool channels_first, int64_t& sn, int64_t& sc,
                 std::array<int64_t, 3>& ssp) {
  const int64_t positions = sp[0] * sp[1] * sp[2];
  sn = positions * channels;
  sc = channels_first ? positions : 1;
  int64_t step = channels_first ? 1 : channels;
  for (size_t i = 3; i-- > 0;) {
    ssp[i] = step;
    step *= sp[i];
  }
}

ConvLoops make_loops(const Dims& d, const ConvGeometry& g) {
  ConvLoops p;
  p.n = d.n;
  p.c = d.c;
  p.o = d.o;
  p.cg = d.c / d.groups;
  p.og = d.o / d.groups;
  const size_t off = 3 - d.nsp;
  for (size_t i = 0; i < d.nsp; ++i) {
    p.in[off + i] = d.in[i];
    p.out[off + i] = d.out[i];
    p.k[off + i] = d.k[i];
    p.s[off + i] = g.strides[i];
    p.dl[off + i] = g.dilation[i];
    p.pl[off + i] = g.padding_l[i];
  }
  act_strides(p.in, p.c, g.channels_first, p.x_n, p.x_c, p.x_sp);
  act_strides(p.out, p.o, g.channels_first, p.y_n, p.y_c, p.y_sp);
  int64_t step = p.o * p.cg;
  for (size_t i = 3; i-- > 0;) {
    p.w_k[i] = step;
    step *= p.k[i];
  }
  return p;
}

// Calls f(input offset, weights offset) for each kernel tap of output position (o0, o1, o2) that lands inside the input.
template <class F>
inline void for_each_tap(const ConvLoops& p, int64_t o0, int64_t o1, int64_t o2, F&& f) {
  for (int64_t k0 = 0; k0 < p.k[0]; ++k0) {
    const int64_t i0 = o0 * p.s[0] - p.pl[0] + k0 * p.dl[0];
    if (i0 < 0 || i0 >= p.in[0]) continue;
    for (int64_t k1 = 0; k1 < p.k[1]; ++k1) {
      const int64_t i1 = o1 * p.s[1] - p.pl[1] + k1 * p.dl[1];
      if (i1 < 0 || i1 >= p.in[1]) continue;
      for (int64_t k2 = 0; k2 < p.k[2]; ++k2) {
        const int64_t i2 = o2 * p.s[2] - p.pl[2] + k2 * p.dl[2];
        if (i2 < 0 || i2 >= p.in[2]) continue;
        f(i0 * p.x_sp[0] + i1 * p.x_sp[1] + i2 * p.x_sp[2], k0 * p.w_k[0] + k1 * p.w_k[1] + k2 * p.w_k[2]);
      }
    }
  }
}

inline std::array<int64_t, 3> unflatten(int64_t r, const std::array<int64_t, 3>& sizes) {
  const int64_t a2 = r % sizes[2];
  r /= sizes[2];
  return {r / sizes[1], r % sizes[1], a2};
}

template <class T>
void forward_loops(const ConvLoops& p, const T* x, const T* w, const T* b, T* y, bool relu) {
  const int64_t positions = p.out_positions();
  const int64_t kvol = p.k[0] * p.k[1] * p.k[2];
  parallel_for(p.n * positions, p.o * p.cg * kvol, [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t n = idx / positions;
      const auto o = unflatten(idx % positions, p.out);
      T* yp = y + n * p.y_n + o[0] * p.y_sp[0] + o[1] * p.y_sp[1] + o[2] * p.y_sp[2];
      for (int64_t oc = 0; oc < p.o; ++oc) {
        const T* xg = x + n * p.x_n + (oc / p.og) * p.cg * p.x_c;
        T acc = b ? b[oc] : T(0);
        for_each_tap(p, o[0], o[1], o[2], [&](int64_t xo, int64_t wo) {
          for (int64_t ic = 0; ic < p.cg; ++ic) acc += xg[xo + ic * p.x_c] * w[wo + ic * p.o + oc];
        });
        yp[oc * p.y_c] = relu && acc < T(0) ? T(0) : acc;
      }
    }
  });
}

template <class T>
void backward_data_loops(const ConvLoops& p, const T* dy, const T* w, T* dx) {
  std::memset(static_cast<void*>(dx), 0, static_cast<size_t>(p.n * p.x_n) * sizeof(T));
  const int64_t positions = p.out_positions();
  const int64_t kvol = p.k[0] * p.k[1] * p.k[2];
  // Scatter from each output position; images are independent, so the batch is split across threads.
  parallel_for(p.n, positions * p.o * p.cg * kvol, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      for (int64_t r = 0; r < positions; ++r) {
        const auto o = unflatten(r, p.out);
        const T* dyp = dy + n * p.y_n + o[0] * p.y_sp[0] + o[1] * p.y_sp[1] + o[2] * p.y_sp[2];
        for (int64_t oc = 0; oc < p.o; ++oc) {
          const T g = dyp[oc * p.y_c];
          T* xg = dx + n * p.x_n + (oc / p.og) * p.cg * p.x_c;
          for_each_tap(p, o[0], o[1], o[2], [&](int64_t xo, int64_t wo) {
            for (int64_t ic = 0; ic < p.cg; ++ic) xg[xo + ic * p.x_c] += g * w[wo + ic * p.o + oc];
          });
        }
      }
    }
  });
}

template <class T>
void backward_weights_loops(const ConvLoops& p, const T* x, const T* dy, T* dw, T* db) {
  const int64_t positions = p.out_positions();
  const int64_t kvol = p.k[0] * p.k[1] * p.k[2];
  // Each thread owns a range of output channels, so no two write the same weight.
  parallel_for(p.o, p.n * positions * p.cg * kvol, [&](int64_t begin, int64_t end) {
    for (int64_t oc = begin; oc < end; ++oc) {
      for (int64_t i = 0; i < kvol * p.cg; ++i) dw[i * p.o + oc] = T(0);
      T bias_sum = T(0);
      for (int64_t n = 0; n < p.n; ++n) {
        const T* xg = x + n * p.x_n + (oc / p.og) * p.cg * p.x_c;
        for (int64_t r = 0; r < positions; ++r) {
          const auto o = unflatten(r, p.out);
          const T g = dy[n * p.y_n + o[0] * p.y_sp[0] + o[1] * p.y_sp[1] + o[2] * p.y_sp[2] + oc * p.y_c];
          bias_sum += g;
          for_each_tap(p, o[0], o[1], o[2], [&](int64_t xo, int64_t wo) {
            for (int64_t ic = 0; ic < p.cg; ++ic) dw[wo + ic * p.o + oc] += g * xg[xo + ic * p.x_c];
          });
        }
      }
      if (db) db[oc] = bias_sum;
    }
  });
}

// ---- The weights' gradient over few input channels, as a matmul over patches ----
// oneDNN 2.6's direct convolution kernels block over input channels; with one to four of them (an
// image model's first layer) its weights' gradient ran at 25 GFLOP/s here: 2.0 ms per batch of 128
// for Fashion-MNIST's 3x3 convolution from 1 to 32 channels, 15 % of the CNN's training step. Written
// out as patches (im2col), the same gradient is a matmul with a long inner dimension, which oneDNN's
// matmul runs at the speed of memory (0.8 ms). The forward pass stays on oneDNN: the same rewrite
// measured slower there, and its patches would cost memory at predict batch sizes.

bool use_patches(const Dims& d, const ConvGeometry& g) { return d.groups == 1 && !g.channels_first && d.c <= 4; }

// Fills the patch matrix, `cols` floats a row: row i holds x under the kernel at output position i,
// in the weights' row order (kernel axes, then input channel), zeros where the kernel overhangs the
// input, and a 1 in a last column when cols is one more than the patch.
void write_patches(const ConvLoops& p, const float* x, float* out, int64_t cols) {
  const int64_t patch = p.k[0] * p.k[1] * p.k[2] * p.c;
  std::vector<int64_t> tap(static_cast<size_t>(patch));  // offset in x from the window's corner
  for (int64_t k0 = 0, r = 0; k0 < p.k[0]; ++k0) {
    for (int64_t k1 = 0; k1 < p.k[1]; ++k1) {
      for (int64_t k2 = 0; k2 < p.k[2]; ++k2) {
        for (int64_t c = 0; c < p.c; ++c, ++r) {
          tap[r] = k0 * p.dl[0] * p.x_sp[0] + k1 * p.dl[1] * p.x_sp[1] + k2 * p.dl[2] * p.x_sp[2] + c * p.x_c;
        }
      }
    }
  }
  const int64_t positions = p.out_positions();
  parallel_for(p.n * positions, patch, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t n = i / positions;
      const auto o = unflatten(i % positions, p.out);
      float* row = out + i * cols;
      std::array<int64_t, 3> corner{};
      bool inside = true;
      for (size_t a = 0; a < 3; ++a) {
        corner[a] = o[a] * p.s[a] - p.pl[a];
        inside = inside && corner[a] >= 0 && corner[a] + (p.k[a] - 1) * p.dl[a] < p.in[a];
      }
      const float* xn = x + n * p.x_n;
      if (inside) {
        const float* window = xn + corner[0] * p.x_sp[0] + corner[1] * p.x_sp[1] + corner[2] * p.x_sp[2];
        for (int64_t r = 0; r < patch; ++r) row[r] = window[tap[r]];
      } else {
        std::fill(row, row + patch, 0.f);
        for_each_tap(p, o[0], o[1], o[2], [&](int64_t xo, int64_t wo) {
          const int64_t r = wo / p.o;  // the weights' row of this tap's first input channel
          for (int64_t c = 0; c < p.c; ++c) row[r + c] = xn[xo + c * p.x_c];
        });
      }
      if (cols > patch) row[patch] = 1.f;
    }
  });
}

// diff_weights (patch, O) = patches^T @ diff_dst (N * out, O), with a column of ones appended to the
// patches so that the same matmul sums diff_dst into diff_bias. oneDNN's matmul does not split the
// long inner dimension across threads, so it is cut into `chunks` batches whose products are summed.
void backward_weights_patches(const ConvBackwardWeightsArgs& a, const Dims& d, const Tensor& diff_weights,
                              const Tensor& diff_bias) {
  const ConvLoops p = make_loops(d, a.geometry);
  const int64_t m = p.n * p.out_positions(), patch = p.k[0] * p.k[1] * p.k[2] * p.c, cols = patch + 1;
  int64_t chunks = std::min<int64_t>(8, m);
  while (m % chunks != 0) --chunks;
  const int64_t len = m / chunks;
  Tensor patches = Tensor::empty(Shape{chunks, len, cols}, DType::float32, a.src.device());
  write_patches(p, a.src.data<float>(), patches.mutable_data<float>(), cols);
  const Tensor dy = Tensor::view(a.diff_dst.storage(), a.diff_dst.offset(), Shape{chunks, len, d.o}, DType::float32);
  const Tensor partial = cpu::matmul({patches, dy, Tensor(), true});
  const float* pp = partial.data<float>();
  float* dw = diff_weights.mutable_data<float>();
  float* db = a.with_bias ? diff_bias.mutable_data<float>() : nullptr;
  for (int64_t r = 0; r < cols; ++r) {
    float* out = r < patch ? dw + r * d.o : db;
    if (!out) continue;
    for (int64_t j = 0; j < d.o; ++j) {
      float sum = 0.f;
      for (int64_t c = 0; c < chunks; ++c) sum += pp[(c * cols + r) * d.o + j];
      out[j] = sum;
    }
  }
}

// Runs a bf16 oneDNN convolution; false when oneDNN has no bf16 primitive for this CPU or shape
// (creating it failed), so the caller upcasts to float32 instead. A failure is remembered per
// process: one CPU either has the bf16 kernels or not.
template <class F>
bool bf16_dnnl(F&& run) {
  static std::atomic<bool> unavailable{false};
  if (unavailable) return false;
  try {
    run();
    return true;
  } catch (const RuntimeError&) {
    unavailable = true;
    return false;
  }
}

void require_float(DType dtype, const char* kernel) {
  if (!is_floating(dtype)) {
    throw ValueError(std::string(kernel) + ": expected floating operands, got " + std::string(dtype_name(dtype)));
  }
}

}  // namespace

Tensor conv_forward(const ConvForwardArgs& a) {
  const DType dtype = a.src.dtype();
  require_float(dtype, "conv_forward");
  if (a.weights.dtype() != dtype || (a.bias.defined() && a.bias.dtype() != dtype)) {
    throw ValueError("conv_forward: operands must share a dtype");
  }
  if (dtype == DType::bfloat16) {
    const Dims d = read_conv_dims(a.src.shape(), a.weights.shape(), a.geometry, "conv_forward");
    if (a.bias.defined()) check_shape(a.bias.shape(), Shape{d.o}, "conv_forward", "bias");
    Tensor dst = Tensor::empty(act_shape(d, d.o, d.out, a.geometry.channels_first), dtype, a.src.device());
    if (dst.size() == 0) return dst;
    if (d.c > 0 && bf16_dnnl([&] { forward_dnnl(a, d, dst, dt::bf16); })) return dst;
  }
  if (is_half(dtype)) {
    const Tensor bias = a.bias.defined() ? cast(a.bias, DType::float32) : Tensor();
    return cast(conv_forward({cast(a.src, DType::float32), cast(a.weights, DType::float32), a.geometry, bias,
                              a.activation}),
                dtype);
  }
  const Dims d = read_conv_dims(a.src.shape(), a.weights.shape(), a.geometry, "conv_forward");
  if (a.bias.defined()) check_shape(a.bias.shape(), Shape{d.o}, "conv_forward", "bias");
  Tensor dst = Tensor::empty(act_shape(d, d.o, d.out, a.geometry.channels_first), dtype, a.src.device());
  if (dst.size() == 0) return dst;
  if (d.c == 0) {  // an empty sum: the bias alone
    const ConvLoops p = make_loops(d, a.geometry);
    visit_dtype(dtype, [&](auto t) {
      using T = decltype(t);
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        forward_loops<T>(p, nullptr, nullptr, a.bias.defined() ? a.bias.data<T>() : nullptr, dst.mutable_data<T>(),
                         a.activation == ConvActivation::relu);
      }
    });
    return dst;
  }
  if (dtype == DType::float32) {
    forward_dnnl(a, d, dst);
    return dst;
  }
  forward_loops<double>(make_loops(d, a.geometry), a.src.data<double>(), a.weights.data<double>(),
                        a.bias.defined() ? a.bias.data<double>() : nullptr, dst.mutable_data<double>(),
                        a.activation == ConvActivation::relu);
  return dst;
}

Tensor conv_backward_data(const ConvBackwardDataArgs& a) {
  const DType dtype = a.diff_dst.dtype();
  require_float(dtype, "conv_backward_data");
  if (a.weights.dtype() != dtype) throw ValueError("conv_backward_data: operands must share a dtype");
  if (dtype == DType::bfloat16) {
    const Dims d = read_conv_dims(a.src_shape, a.weights.shape(), a.geometry, "conv_backward_data");
    check_shape(a.diff_dst.shape(), act_shape(d, d.o, d.out, a.geometry.channels_first), "conv_backward_data",
                "diff_dst");
    Tensor diff_src = Tensor::empty(a.src_shape, dtype, a.diff_dst.device());
    if (diff_src.size() == 0) return diff_src;
    if (a.diff_dst.size() > 0 && bf16_dnnl([&] { backward_data_dnnl(a, d, diff_src, dt::bf16); })) return diff_src;
  }
  if (is_half(dtype)) {
    return cast(conv_backward_data({cast(a.diff_dst, DType::float32), cast(a.weights, DType::float32), a.src_shape,
                                    a.geometry}),
                dtype);
  }
  const Dims d = read_conv_dims(a.src_shape, a.weights.shape(), a.geometry, "conv_backward_data");
  check_shape(a.diff_dst.shape(), act_shape(d, d.o, d.out, a.geometry.channels_first), "conv_backward_data",
              "diff_dst");
  Tensor diff_src = Tensor::empty(a.src_shape, dtype, a.diff_dst.device());
  if (diff_src.size() == 0) return diff_src;
  if (a.diff_dst.size() == 0) {
    std::memset(diff_src.mutable_data(), 0, diff_src.nbytes());
    return diff_src;
  }
  if (dtype == DType::float32) {
    backward_data_dnnl(a, d, diff_src);
    return diff_src;
  }
  backward_data_loops<double>(make_loops(d, a.geometry), a.diff_dst.data<double>(), a.weights.data<double>(),
                              diff_src.mutable_data<double>());
  return diff_src;
}

Tensors conv_backward_weights(const ConvBackwardWeightsArgs& a) {
  const DType dtype = a.src.dtype();
  require_float(dtype, "conv_backward_weights");
  if (a.diff_dst.dtype() != dtype) throw ValueError("conv_backward_weights: operands must share a dtype");
  if (dtype == DType::bfloat16) {
    const Dims d = read_conv_dims(a.src.shape(), a.weights_shape, a.geometry, "conv_backward_weights");
    check_shape(a.diff_dst.shape(), act_shape(d, d.o, d.out, a.geometry.channels_first), "conv_backward_weights",
                "diff_dst");
    Tensor diff_weights = Tensor::empty(a.weights_shape, dtype, a.src.device());
    Tensor diff_bias = a.with_bias ? Tensor::empty(Shape{d.o}, dtype, a.src.device()) : Tensor();
    if (a.diff_dst.size() > 0 && diff_weights.size() > 0 &&
        bf16_dnnl([&] { backward_weights_dnnl(a, d, diff_weights, diff_bias, dt::bf16); })) {
      Tensors out{diff_weights};
      if (a.with_bias) out.push_back(diff_bias);
      return out;
    }
  }
  if (is_half(dtype)) {
    Tensors out = conv_backward_weights({cast(a.src, DType::float32), cast(a.diff_dst, DType::float32),
                                         a.weights_shape, a.geometry, a.with_bias});
    for (Tensor& t : out) t = cast(t, dtype);
    return out;
  }
  const Dims d = read_conv_dims(a.src.shape(), a.weights_shape, a.geometry, "conv_backward_weights");
  check_shape(a.diff_dst.shape(), act_shape(d, d.o, d.out, a.geometry.channels_first), "conv_backward_weights",
              "diff_dst");
  Tensor diff_weights = Tensor::empty(a.weights_shape, dtype, a.src.device());
  Tensor diff_bias = a.with_bias ? Tensor::empty(Shape{d.o}, dtype, a.src.device()) : Tensor();
  Tensors out{diff_weights};
  if (a.with_bias) out.push_back(diff_bias);
  if (diff_weights.size() == 0 && !a.with_bias) return out;
  if (dtype == DType::float32 && a.diff_dst.size() > 0 && diff_weights.size() > 0) {
    if (use_patches(d, a.geometry)) {
      backward_weights_patches(a, d, diff_weights, diff_bias);
    } else {
      backward_weights_dnnl(a, d, diff_weights, diff_bias);
    }
    return out;
  }
  visit_dtype(dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      backward_weights_loops<T>(make_loops(d, a.geometry), a.src.data<T>(), a.diff_dst.data<T>(),
                                diff_weights.mutable_data<T>(), a.with_bias ? diff_bias.mutable_data<T>() : nullptr);
    }
  });
  return out;
}

}  // namespace keras::kernels::cpu
