// Max and average pooling, 1-D to 3-D, both layouts, any (also asymmetric) padding: own kernels,
// since cuDNN's pooling descriptor takes symmetric padding only and its average counts padding
// cells differently. Forward is one thread per output; backward one thread per input cell
// gathering from the windows that cover it (deterministic, no atomics). The max pooling workspace
// holds, per output, the int32 flat spatial index of the first largest cell of its window.
#include <keras/kernels/cuda/cuda_kernels.h>
#include <keras/kernels/cuda/dnn_device.cuh>

#include <vector>

namespace keras::kernels::cuda {

using namespace dnn;  // NOLINT(google-build-using-namespace): this backend's own helpers

namespace {

// Spatial axes padded in front to three; element steps of the channel and spatial axes.
struct PoolGeometry {
  int64_t n, c;
  int64_t in[3], out[3], kernel[3], stride[3], pad[3];
  bool channels_last;
  __device__ int64_t in_spatial() const { return in[0] * in[1] * in[2]; }
  __device__ int64_t out_spatial() const { return out[0] * out[1] * out[2]; }
};

// (batch, channel, flat spatial position) of element i of a tensor with `spatial` positions.
__device__ __forceinline__ void split(const PoolGeometry& g, int64_t i, int64_t spatial, int64_t& b, int64_t& ch,
                                      int64_t& pos) {
  if (g.channels_last) {
    ch = i % g.c;
    pos = (i / g.c) % spatial;
    b = i / (g.c * spatial);
  } else {
    pos = i % spatial;
    ch = (i / spatial) % g.c;
    b = i / (spatial * g.c);
  }
}

__device__ __forceinline__ int64_t element(const PoolGeometry& g, int64_t b, int64_t ch, int64_t pos, int64_t spatial) {
  return g.channels_last ? (b * spatial + pos) * g.c + ch : (b * g.c + ch) * spatial + pos;
}

// The window of output position `o` clipped to the input: [lo, hi) per axis.
__device__ __forceinline__ void window(const PoolGeometry& g, int64_t o, int64_t lo[3], int64_t hi[3]) {
  const int64_t pos[3] = {o / (g.out[1] * g.out[2]), (o / g.out[2]) % g.out[1], o % g.out[2]};
  for (int a = 0; a < 3; ++a) {
    const int64_t start = pos[a] * g.stride[a] - g.pad[a];
    lo[a] = start > 0 ? start : 0;
    hi[a] = start + g.kernel[a] < g.in[a] ? start + g.kernel[a] : g.in[a];
  }
}

// The first largest cell of window `o` (flat spatial index), as the CPU backward recomputes it.
template <class T>
__device__ int64_t argmax_of(const PoolGeometry& g, const T* src, int64_t b, int64_t ch, int64_t o) {
  using C = Compute<T>;
  int64_t lo[3], hi[3];
  window(g, o, lo, hi);
  const int64_t spatial = g.in_spatial();
  int64_t where = -1;
  C best = -INFINITY;
  for (int64_t x = lo[0]; x < hi[0]; ++x) {
    for (int64_t y = lo[1]; y < hi[1]; ++y) {
      for (int64_t z = lo[2]; z < hi[2]; ++z) {
        const int64_t p = (x * g.in[1] + y) * g.in[2] + z;
        const C v = load_as<C>(src[element(g, b, ch, p, spatial)]);
        if (where < 0 || v > best) {
          best = v;
          where = p;
        }
      }
    }
  }
  return where;
}

template <class T>
__global__ void pool_forward_kernel(PoolGeometry g, bool is_max, const T* src, T* dst, int32_t* workspace) {
  using C = Compute<T>;
  const int64_t out_spatial = g.out_spatial(), in_spatial = g.in_spatial();
  const int64_t n = g.n * g.c * out_spatial;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t b, ch, o;
    split(g, i, out_spatial, b, ch, o);
    int64_t lo[3], hi[3];
    window(g, o, lo, hi);
    C acc = is_max ? C(-INFINITY) : C(0);
    int64_t where = -1;
    for (int64_t x = lo[0]; x < hi[0]; ++x) {
      for (int64_t y = lo[1]; y < hi[1]; ++y) {
        for (int64_t z = lo[2]; z < hi[2]; ++z) {
          const int64_t p = (x * g.in[1] + y) * g.in[2] + z;
          const C v = load_as<C>(src[element(g, b, ch, p, in_spatial)]);
          if (!is_max) {
            acc += v;
          } else {
            if (v > acc || v != v) acc = v;  // NaN propagates, as the CPU kernel
            if (where < 0 || v > load_as<C>(src[element(g, b, ch, where, in_spatial)])) where = p;
          }
        }
      }
    }
    const int64_t count = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
    dst[i] = store_as<T>(is_max ? acc : acc / static_cast<C>(count));
    if (workspace) workspace[i] = static_cast<int32_t>(where);
  }
}

template <class T>
__global__ void pool_backward_kernel(PoolGeometry g, bool is_max, const T* diff_dst, const T* src,
                                     const int32_t* workspace, T* diff_src) {
  using C = Compute<T>;
  const int64_t out_spatial = g.out_spatial(), in_spatial = g.in_spatial();
  const int64_t n = g.n * g.c * in_spatial;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t b, ch, p;
    split(g, i, in_spatial, b, ch, p);
    const int64_t at[3] = {p / (g.in[1] * g.in[2]), (p / g.in[2]) % g.in[1], p % g.in[2]};
    // Outputs whose window covers `at`: o·stride - pad <= at <= o·stride - pad + kernel - 1.
    int64_t first[3], last[3];
    bool any = true;
    for (int a = 0; a < 3; ++a) {
      const int64_t top = at[a] + g.pad[a];
      const int64_t low = top - g.kernel[a] + 1;
      first[a] = low <= 0 ? 0 : (low + g.stride[a] - 1) / g.stride[a];
      last[a] = top / g.stride[a];
      if (last[a] > g.out[a] - 1) last[a] = g.out[a] - 1;
      any = any && first[a] <= last[a];
    }
    C acc = 0;
    if (any) {
      for (int64_t x = first[0]; x <= last[0]; ++x) {
        for (int64_t y = first[1]; y <= last[1]; ++y) {
          for (int64_t z = first[2]; z <= last[2]; ++z) {
            const int64_t o = (x * g.out[1] + y) * g.out[2] + z;
            const int64_t j = element(g, b, ch, o, out_spatial);
            if (is_max) {
              const int64_t where = workspace ? workspace[j] : argmax_of(g, src, b, ch, o);
              if (where == p) acc += load_as<C>(diff_dst[j]);
            } else {
              int64_t lo[3], hi[3];
              window(g, o, lo, hi);
              acc += load_as<C>(diff_dst[j]) / static_cast<C>((hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]));
            }
          }
        }
      }
    }
    diff_src[i] = store_as<T>(acc);
  }
}

PoolGeometry make_geometry(const Shape& src_shape, const PoolWindow& w, const char* who) {
  const auto& d = src_shape.dims();
  const size_t k = w.kernel.size();
  if (d.size() != k + 2 || k < 1 || k > 3 || w.strides.size() != k || w.padding_l.size() != k ||
      w.padding_r.size() != k) {
    throw ValueError(std::string(who) + ": expected a rank-3 to rank-5 src with one kernel, stride and padding "
                     "per spatial axis, got src " + src_shape.str() + " and a " + std::to_string(k) + "-D window");
  }
  PoolGeometry g{};
  g.n = d[0];
  g.c = w.channels_last ? d.back() : d[1];
  g.channels_last = w.channels_last;
  for (int a = 0; a < 3; ++a) {
    g.in[a] = g.out[a] = g.kernel[a] = g.stride[a] = 1;
    g.pad[a] = 0;
  }
  const size_t off = 3 - k;
  for (size_t i = 0; i < k; ++i) {
    const int64_t in = d[w.channels_last ? i + 1 : i + 2];
    const int64_t span = in + w.padding_l[i] + w.padding_r[i] - w.kernel[i];
    if (w.kernel[i] < 1 || w.strides[i] < 1 || w.padding_l[i] < 0 || w.padding_r[i] < 0 || span < 0) {
      throw ValueError(std::string(who) + ": the window does not fit src " + src_shape.str());
    }
    g.in[off + i] = in;
    g.out[off + i] = span / w.strides[i] + 1;
    g.kernel[off + i] = w.kernel[i];
    g.stride[off + i] = w.strides[i];
    g.pad[off + i] = w.padding_l[i];
  }
  if (g.in[0] * g.in[1] * g.in[2] > INT32_MAX) {
    throw NotImplementedError(std::string(who) + " on CUDA: more than 2^31 spatial positions in " + src_shape.str());
  }
  return g;
}

Shape dst_shape(const PoolGeometry& g, size_t k) {
  std::vector<int64_t> d{g.n};
  if (!g.channels_last) d.push_back(g.c);
  for (size_t i = 3 - k; i < 3; ++i) d.push_back(g.out[i]);
  if (g.channels_last) d.push_back(g.c);
  return Shape(d);
}

}  // namespace

PoolForwardResult pool_forward(const PoolForwardArgs& a) {
  cudaStream_t s = prepare(a.src.device(), "pool_forward");
  const PoolGeometry g = make_geometry(a.src.shape(), a.window, "pool_forward");
  const DType dtype = a.src.dtype();
  Tensor dst = Tensor::empty(dst_shape(g, a.window.kernel.size()), dtype, a.src.device());
  Tensor workspace;
  const bool is_max = a.algorithm == PoolAlgorithm::max;
  if (is_max && a.training && dst.size() > 0) {
    workspace = Tensor::empty(Shape{dst.size() * 4}, DType::uint8, a.src.device());
  }
  visit_floating(dtype, "pool_forward", [&](auto tag) {
    using T = decltype(tag);
    if (dst.size() == 0) return;
    pool_forward_kernel<T><<<grid_for(dst.size(), 256), 256, 0, s>>>(
        g, is_max, cptr<T>(a.src), mptr<T>(dst), workspace.defined() ? mptr<int32_t>(workspace) : nullptr);
    KERAS_CUDA_CHECK_LAUNCH();
  });
  return {dst, workspace};
}

Tensor pool_backward(const PoolBackwardArgs& a) {
  cudaStream_t s = prepare(a.diff_dst.device(), "pool_backward");
  const bool is_max = a.algorithm == PoolAlgorithm::max;
  if (is_max && !a.workspace.defined() && !a.src.defined()) {
    throw ValueError("pool_backward: max pooling needs the forward's workspace or its src");
  }
  const PoolGeometry g = make_geometry(a.src_shape, a.window, "pool_backward");
  const DType dtype = a.diff_dst.dtype();
  const Shape want = dst_shape(g, a.window.kernel.size());
  if (a.diff_dst.shape() != want) {
    throw ValueError("pool_backward: diff_dst has shape " + a.diff_dst.shape().str() + ", expected " + want.str());
  }
  if (a.src.defined() && (a.src.shape() != a.src_shape || a.src.dtype() != dtype)) {
    throw ValueError("pool_backward: src " + a.src.shape().str() + " does not match src_shape " + a.src_shape.str() +
                     " and diff_dst's dtype");
  }
  const bool use_workspace = is_max && a.workspace.defined();
  if (use_workspace && a.workspace.nbytes() != static_cast<size_t>(a.diff_dst.size()) * 4) {
    throw RuntimeError("pool_backward: the max pooling workspace has " + std::to_string(a.workspace.nbytes()) +
                       " bytes, the CUDA kernel expects " + std::to_string(a.diff_dst.size() * 4));
  }
  Tensor diff_src = Tensor::empty(a.src_shape, dtype, a.diff_dst.device());
  visit_floating(dtype, "pool_backward", [&](auto tag) {
    using T = decltype(tag);
    if (diff_src.size() == 0) return;
    pool_backward_kernel<T><<<grid_for(diff_src.size(), 256), 256, 0, s>>>(
        g, is_max, cptr<T>(a.diff_dst), is_max && !use_workspace ? cptr<T>(a.src) : nullptr,
        use_workspace ? cptr<int32_t>(a.workspace) : nullptr, mptr<T>(diff_src));
    KERAS_CUDA_CHECK_LAUNCH();
  });
  return diff_src;
}

}  // namespace keras::kernels::cuda
