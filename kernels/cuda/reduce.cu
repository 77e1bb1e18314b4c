// Reductions and the kernels built on them: reduce, arg_reduce, softmax / log_softmax, and layer
// and batch normalization forward and backward. Floating sums accumulate in double (as the CPU's
// loops do); max and min keep NaN sticky and arg_reduce lets the first NaN win, as NumPy.
#include <keras/kernels/cuda/cuda_kernels.h>
#include <keras/kernels/cuda/dnn_device.cuh>

#include <limits>
#include <vector>

namespace keras::kernels::cuda {

using namespace dnn;  // NOLINT(google-build-using-namespace): this backend's own helpers

namespace {

constexpr unsigned kFullMask = 0xffffffffu;

// ---- block and warp combining ----

template <class A>
__device__ __forceinline__ A shfl_down(A v, int offset) {
  if constexpr (sizeof(A) < 4) return static_cast<A>(__shfl_down_sync(kFullMask, static_cast<int>(v), offset));
  else return __shfl_down_sync(kFullMask, v, offset);
}

// Combines each thread's `v` with f across the block (blockDim.x a multiple of 32, at most 1024);
// the result is valid in thread 0.
template <class A, class F>
__device__ A block_combine(A v, F f) {
  __shared__ A warp_results[32];
  for (int o = 16; o > 0; o >>= 1) v = f(v, shfl_down(v, o));
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();  // warp_results may still be read by a previous call
  if (lane == 0) warp_results[warp] = v;
  __syncthreads();
  if (warp == 0) {
    const int warps = blockDim.x / 32;
    v = warp_results[0];
    for (int w = 1; w < warps; ++w) v = f(v, warp_results[w]);
  }
  return v;
}

// Every thread of the block gets the combined value.
template <class A, class F>
__device__ A block_all(A v, F f) {
  __shared__ A result;
  v = block_combine(v, f);
  if (threadIdx.x == 0) result = v;
  __syncthreads();
  const A out = result;
  __syncthreads();
  return out;
}

// ---- reduce ----

template <class T>
using Acc = std::conditional_t<std::is_floating_point_v<T> || kIsHalf<T>, double,
                               std::conditional_t<std::is_same_v<T, bool>, int32_t, T>>;

template <ReduceOp Op, class A>
struct Reducer {
  __device__ static A init() {
    if constexpr (Op == ReduceOp::prod || Op == ReduceOp::all) return A(1);
    else if constexpr (Op == ReduceOp::max) {
      if constexpr (std::is_floating_point_v<A>) return -INFINITY;
      else return std::numeric_limits<A>::lowest();
    } else if constexpr (Op == ReduceOp::min) {
      if constexpr (std::is_floating_point_v<A>) return INFINITY;
      else return std::numeric_limits<A>::max();
    } else {
      return A(0);
    }
  }
  __device__ static A step(A acc, A v) {
    if constexpr (Op == ReduceOp::sum || Op == ReduceOp::mean) return static_cast<A>(acc + v);
    else if constexpr (Op == ReduceOp::prod) return static_cast<A>(acc * v);
    else if constexpr (Op == ReduceOp::max) return (v > acc || v != v) && acc == acc ? v : acc;
    else if constexpr (Op == ReduceOp::min) return (v < acc || v != v) && acc == acc ? v : acc;
    else if constexpr (Op == ReduceOp::all) return static_cast<A>(acc != A(0) && v != A(0));
    else return static_cast<A>(acc != A(0) || v != A(0));
  }
  __device__ static A finish(A acc, int64_t n) {
    if constexpr (Op == ReduceOp::mean) {
      if constexpr (std::is_floating_point_v<A>) return acc / static_cast<A>(n);
      else return n == 0 ? A(0) : static_cast<A>(acc / static_cast<A>(n));
    } else {
      return acc;
    }
  }
};

// src viewed as kept axes (the outputs, in order) times reduced axes, both with src strides.
struct ReduceGeometry {
  int nk = 0, nr = 0;
  int64_t kdims[8], kstrides[8], rdims[8], rstrides[8];
  int64_t outputs = 1, r = 1;
};

__device__ __forceinline__ int64_t offset_of(int64_t idx, int n, const int64_t* dims, const int64_t* strides) {
  int64_t off = 0;
  for (int d = n - 1; d >= 0; --d) {
    off += (idx % dims[d]) * strides[d];
    idx /= dims[d];
  }
  return off;
}

// One warp (or, with blockDim.x > 32, one block) per output, its threads striding over the reduced
// elements: for reductions over the innermost axis, where neighbouring threads read neighbours.
template <ReduceOp Op, class T, class D>
__global__ void reduce_rows(const T* src, D* dst, ReduceGeometry g) {
  using A = Acc<T>;
  using R = Reducer<Op, A>;
  const bool per_block = blockDim.x > 32;
  const int64_t lanes = per_block ? blockDim.x : 32;
  const int64_t lane = per_block ? threadIdx.x : threadIdx.x % 32;
  const int64_t first = per_block ? blockIdx.x : blockIdx.x * int64_t{blockDim.x / 32} + threadIdx.x / 32;
  const int64_t step = per_block ? gridDim.x : int64_t{gridDim.x} * (blockDim.x / 32);
  for (int64_t out = first; out < g.outputs; out += step) {  // uniform per warp/block: no divergence at the shuffles
    const T* base = src + offset_of(out, g.nk, g.kdims, g.kstrides);
    A acc = R::init();
    for (int64_t i = lane; i < g.r; i += lanes) acc = R::step(acc, load_as<A>(base[offset_of(i, g.nr, g.rdims, g.rstrides)]));
    if (per_block) {
      acc = block_combine(acc, [](A x, A y) { return R::step(x, y); });
    } else {
      for (int o = 16; o > 0; o >>= 1) acc = R::step(acc, shfl_down(acc, o));
    }
    if (lane == 0) dst[out] = store_as<D>(R::finish(acc, g.r));
  }
}

// A (32, 8) block covers 32 neighbouring outputs; its 8 rows split the reduced elements and are
// combined in order through shared memory: for reductions over outer axes.
template <ReduceOp Op, class T, class D>
__global__ void reduce_columns(const T* src, D* dst, ReduceGeometry g) {
  using A = Acc<T>;
  using R = Reducer<Op, A>;
  __shared__ A partial[8][32];
  const int64_t out = blockIdx.x * int64_t{32} + threadIdx.x;
  A acc = R::init();
  if (out < g.outputs) {
    const T* base = src + offset_of(out, g.nk, g.kdims, g.kstrides);
    for (int64_t i = threadIdx.y; i < g.r; i += 8) acc = R::step(acc, load_as<A>(base[offset_of(i, g.nr, g.rdims, g.rstrides)]));
  }
  partial[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && out < g.outputs) {
    for (int y = 1; y < 8; ++y) acc = R::step(acc, partial[y][threadIdx.x]);
    dst[out] = store_as<D>(R::finish(acc, g.r));
  }
}

template <ReduceOp Op, class T, class D>
void launch_reduce(const T* src, D* dst, const ReduceGeometry& g, bool rows, cudaStream_t s) {
  if (rows) {
    if (g.r >= 4096 && g.outputs < 1024) {
      reduce_rows<Op, T, D><<<static_cast<unsigned>(g.outputs), 512, 0, s>>>(src, dst, g);
    } else {
      reduce_rows<Op, T, D><<<grid_for(g.outputs, 8), 256, 0, s>>>(src, dst, g);
    }
  } else {
    reduce_columns<Op, T, D><<<static_cast<unsigned>((g.outputs + 31) / 32), dim3(32, 8), 0, s>>>(src, dst, g);
  }
  KERAS_CUDA_CHECK_LAUNCH();
}

template <class T, class D>
void reduce_typed(ReduceOp op, const T* src, D* dst, const ReduceGeometry& g, bool rows, cudaStream_t s) {
  switch (op) {
    case ReduceOp::sum: return launch_reduce<ReduceOp::sum>(src, dst, g, rows, s);
    case ReduceOp::mean: return launch_reduce<ReduceOp::mean>(src, dst, g, rows, s);
    case ReduceOp::max: return launch_reduce<ReduceOp::max>(src, dst, g, rows, s);
    case ReduceOp::min: return launch_reduce<ReduceOp::min>(src, dst, g, rows, s);
    case ReduceOp::prod: return launch_reduce<ReduceOp::prod>(src, dst, g, rows, s);
    case ReduceOp::all: return launch_reduce<ReduceOp::all>(src, dst, g, rows, s);
    case ReduceOp::any: return launch_reduce<ReduceOp::any>(src, dst, g, rows, s);
  }
}

template <class F>
void visit_all(DType dtype, F&& f) {
  switch (dtype) {
    case DType::float32: f(float{}); return;
    case DType::float64: f(double{}); return;
    case DType::float16: f(__half{}); return;
    case DType::bfloat16: f(__nv_bfloat16{}); return;
    case DType::int32: f(int32_t{}); return;
    case DType::int64: f(int64_t{}); return;
    case DType::uint8: f(uint8_t{}); return;
    case DType::bool_: f(bool{}); return;
  }
}

// ---- arg_reduce ----

template <class T>
__global__ void arg_reduce_kernel(const T* src, int32_t* dst, int64_t outer, int64_t r, int64_t inner, bool is_max) {
  const int64_t n = outer * inner;
  for (int64_t idx = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; idx < n; idx += int64_t{gridDim.x} * blockDim.x) {
    const T* s = src + (idx / inner) * r * inner + idx % inner;
    int64_t best = 0;
    auto cur = load_as<Acc<T>>(s[0]);
    for (int64_t i = 1; i < r; ++i) {
      const auto v = load_as<Acc<T>>(s[i * inner]);
      bool better = is_max ? v > cur : v < cur;
      if (cur != cur) better = false;       // the first NaN wins, as NumPy
      else if (v != v) better = true;
      if (better) {
        best = i;
        cur = v;
      }
    }
    dst[idx] = static_cast<int32_t>(best);
  }
}

// ---- softmax ----

// One warp per row of a (rows, r) view (inner == 1), the CPU loop's formula.
template <class T>
__global__ void softmax_rows(const T* src, T* dst, int64_t rows, int64_t r, bool log) {
  using C = Compute<T>;
  const int lane = threadIdx.x % 32;
  for (int64_t row = blockIdx.x * int64_t{blockDim.x / 32} + threadIdx.x / 32; row < rows;
       row += int64_t{gridDim.x} * (blockDim.x / 32)) {
    const T* s = src + row * r;
    T* d = dst + row * r;
    C m = -INFINITY;
    for (int64_t i = lane; i < r; i += 32) m = fmax(m, load_as<C>(s[i]));
    for (int o = 16; o > 0; o >>= 1) m = fmax(m, __shfl_xor_sync(kFullMask, m, o));
    if (!isfinite(m)) m = 0;
    C sum = 0;
    for (int64_t i = lane; i < r; i += 32) sum += exp(load_as<C>(s[i]) - m);
    for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(kFullMask, sum, o);
    if (log) {
      const C log_sum = ::log(sum);
      for (int64_t i = lane; i < r; i += 32) d[i] = store_as<T>((load_as<C>(s[i]) - m) - log_sum);
    } else {
      const C inv = C(1) / sum;
      for (int64_t i = lane; i < r; i += 32) d[i] = store_as<T>(exp(load_as<C>(s[i]) - m) * inv);
    }
  }
}

// One thread per (outer, inner) position, striding along the axis: neighbouring threads read
// neighbouring inner positions.
template <class T>
__global__ void softmax_columns(const T* src, T* dst, int64_t outer, int64_t r, int64_t inner, bool log) {
  using C = Compute<T>;
  const int64_t n = outer * inner;
  for (int64_t idx = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; idx < n; idx += int64_t{gridDim.x} * blockDim.x) {
    const int64_t base = (idx / inner) * r * inner + idx % inner;
    const T* s = src + base;
    T* d = dst + base;
    C m = -INFINITY;
    bool nan = false;
    for (int64_t i = 0; i < r; ++i) {
      const C v = load_as<C>(s[i * inner]);
      nan = nan || v != v;
      m = fmax(m, v);
    }
    if (nan || !isfinite(m)) m = nan ? C(NAN) : C(0);
    C sum = 0;
    for (int64_t i = 0; i < r; ++i) sum += exp(load_as<C>(s[i * inner]) - m);
    if (log) {
      const C log_sum = ::log(sum);
      for (int64_t i = 0; i < r; ++i) d[i * inner] = store_as<T>((load_as<C>(s[i * inner]) - m) - log_sum);
    } else {
      const C inv = C(1) / sum;
      for (int64_t i = 0; i < r; ++i) d[i * inner] = store_as<T>(exp(load_as<C>(s[i * inner]) - m) * inv);
    }
  }
}

// ---- layer normalization: one block per row ----

constexpr int kNormBlock = 256;

template <class T>
__global__ void layer_norm_forward_kernel(const T* x, const T* scale, const T* shift, T* y, T* mean, T* variance,
                                          int64_t rows, int64_t cols, double epsilon) {
  using C = Compute<T>;
  auto add = [](double a, double b) { return a + b; };
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* p = x + row * cols;
    double s = 0;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += load_as<double>(p[j]);
    const double mu = block_all(s, add) / static_cast<double>(cols);
    double q = 0;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      const double d = load_as<double>(p[j]) - mu;
      q += d * d;
    }
    const double var = block_all(q, add) / static_cast<double>(cols);
    if (threadIdx.x == 0) {
      mean[row] = store_as<T>(mu);
      variance[row] = store_as<T>(var);
    }
    const C inv = static_cast<C>(1.0 / sqrt(static_cast<double>(static_cast<C>(var)) + epsilon));
    const C m = static_cast<C>(mu);
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      C v = (load_as<C>(p[j]) - m) * inv;
      if (scale) v = v * load_as<C>(scale[j]);
      if (shift) v = v + load_as<C>(shift[j]);
      y[row * cols + j] = store_as<T>(v);
    }
  }
}

template <class T>
__global__ void layer_norm_backward_kernel(const T* x, const T* dy, const T* mean, const T* variance, const T* scale,
                                           T* dx, int64_t rows, int64_t cols, double epsilon) {
  using C = Compute<T>;
  auto add = [](double a, double b) { return a + b; };
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const C m = load_as<C>(mean[row]);
    const C inv = static_cast<C>(1.0 / sqrt(load_as<double>(variance[row]) + epsilon));
    double s = 0, sx = 0;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      const int64_t at = row * cols + j;
      const C gy = load_as<C>(dy[at]) * (scale ? load_as<C>(scale[j]) : C(1));
      s += gy;
      sx += static_cast<double>(gy * ((load_as<C>(x[at]) - m) * inv));
    }
    s = block_all(s, add);
    sx = block_all(sx, add);
    const C n = static_cast<C>(cols);
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      const int64_t at = row * cols + j;
      const C xhat = (load_as<C>(x[at]) - m) * inv;
      const C gy = load_as<C>(dy[at]) * (scale ? load_as<C>(scale[j]) : C(1));
      dx[at] = store_as<T>(inv / n * (n * gy - static_cast<C>(s) - xhat * static_cast<C>(sx)));
    }
  }
}

// diff_scale[j] = sum over rows of dy·xhat, diff_shift[j] = sum of dy: a (32, 8) block per 32 columns.
template <class T>
__global__ void layer_norm_params_kernel(const T* x, const T* dy, const T* mean, const T* variance, T* diff_scale,
                                         T* diff_shift, int64_t rows, int64_t cols, double epsilon) {
  __shared__ double ps[8][32], pb[8][32];
  const int64_t j = blockIdx.x * int64_t{32} + threadIdx.x;
  double s = 0, b = 0;
  if (j < cols) {
    for (int64_t row = threadIdx.y; row < rows; row += 8) {
      const double inv = 1.0 / sqrt(load_as<double>(variance[row]) + epsilon);
      const double g = load_as<double>(dy[row * cols + j]);
      s += g * (load_as<double>(x[row * cols + j]) - load_as<double>(mean[row])) * inv;
      b += g;
    }
  }
  ps[threadIdx.y][threadIdx.x] = s;
  pb[threadIdx.y][threadIdx.x] = b;
  __syncthreads();
  if (threadIdx.y == 0 && j < cols) {
    for (int y = 1; y < 8; ++y) {
      s += ps[y][threadIdx.x];
      b += pb[y][threadIdx.x];
    }
    if (diff_scale) diff_scale[j] = store_as<T>(s);
    if (diff_shift) diff_shift[j] = store_as<T>(b);
  }
}

// ---- batch normalization over a (outer, channels, inner) view: one block per channel ----

template <class T>
__global__ void batch_norm_stats_kernel(const T* x, T* mean, T* variance, int64_t outer, int64_t channels,
                                        int64_t inner) {
  auto add = [](double a, double b) { return a + b; };
  const int64_t n = outer * inner;
  for (int64_t c = blockIdx.x; c < channels; c += gridDim.x) {
    double s = 0;
    for (int64_t k = threadIdx.x; k < n; k += blockDim.x) s += load_as<double>(x[((k / inner) * channels + c) * inner + k % inner]);
    const double mu = block_all(s, add) / static_cast<double>(n);  // n == 0: NaN, as the CPU kernel
    double q = 0;
    for (int64_t k = threadIdx.x; k < n; k += blockDim.x) {
      const double d = load_as<double>(x[((k / inner) * channels + c) * inner + k % inner]) - mu;
      q += d * d;
    }
    const double var = block_all(q, add) / static_cast<double>(n);
    if (threadIdx.x == 0) {
      mean[c] = store_as<T>(mu);
      variance[c] = store_as<T>(var);
    }
  }
}

template <class T>
__global__ void batch_norm_apply_kernel(const T* x, const T* mean, const T* variance, const T* scale, const T* shift,
                                        T* y, int64_t n, int64_t channels, int64_t inner, double epsilon) {
  using C = Compute<T>;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t c = (i / inner) % channels;
    const C inv = (scale ? load_as<C>(scale[c]) : C(1)) / static_cast<C>(sqrt(load_as<C>(variance[c]) + static_cast<C>(epsilon)));
    const C off = (shift ? load_as<C>(shift[c]) : C(0)) - load_as<C>(mean[c]) * inv;
    y[i] = store_as<T>(load_as<C>(x[i]) * inv + off);
  }
}

template <class T>
__global__ void batch_norm_sums_kernel(const T* x, const T* dy, const T* mean, const T* variance, T* sum_dy,
                                       T* sum_dy_xhat, int64_t outer, int64_t channels, int64_t inner, double epsilon) {
  auto add = [](double a, double b) { return a + b; };
  const int64_t n = outer * inner;
  for (int64_t c = blockIdx.x; c < channels; c += gridDim.x) {
    const double m = load_as<double>(mean[c]);
    const double inv = 1.0 / sqrt(load_as<double>(variance[c]) + epsilon);
    double s = 0, sx = 0;
    for (int64_t k = threadIdx.x; k < n; k += blockDim.x) {
      const int64_t at = ((k / inner) * channels + c) * inner + k % inner;
      const double g = load_as<double>(dy[at]);
      s += g;
      sx += g * (load_as<double>(x[at]) - m) * inv;
    }
    s = block_all(s, add);
    sx = block_all(sx, add);
    if (threadIdx.x == 0) {
      sum_dy[c] = store_as<T>(s);
      sum_dy_xhat[c] = store_as<T>(sx);
    }
  }
}

template <class T>
__global__ void batch_norm_backward_kernel(const T* x, const T* dy, const T* mean, const T* variance, const T* scale,
                                           const T* sum_dy, const T* sum_dy_xhat, T* dx, int64_t n_total,
                                           int64_t channels, int64_t inner, int64_t n, double epsilon) {
  using C = Compute<T>;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n_total; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t c = (i / inner) % channels;
    const C inv = C(1) / static_cast<C>(sqrt(load_as<C>(variance[c]) + static_cast<C>(epsilon)));
    const C k = (scale ? load_as<C>(scale[c]) : C(1)) * inv / static_cast<C>(n);
    const C xhat = (load_as<C>(x[i]) - load_as<C>(mean[c])) * inv;
    dx[i] = store_as<T>(k * (static_cast<C>(n) * load_as<C>(dy[i]) - load_as<C>(sum_dy[c]) -
                             xhat * load_as<C>(sum_dy_xhat[c])));
  }
}

// ---- host helpers ----

// A (C,)-sized operand in `dtype` on the device of `like`; undefined stays undefined.
Tensor as(const Tensor& t, DType dtype) { return t.defined() && t.dtype() != dtype ? kernels::cast(t, dtype) : t; }

template <class T>
const T* opt(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.data()) : nullptr;
}

void check_on(const Tensor& t, const Device& device, const char* who, const char* what) {
  if (t.defined() && t.device() != device) {
    throw ValueError(std::string(who) + ": " + what + " is on " + t.device().str() + ", expected " + device.str());
  }
}

struct ChannelView {
  int64_t outer = 1, channels = 1, inner = 1;
};

ChannelView channel_view(const Shape& shape, int64_t axis) {
  ChannelView v;
  const auto& d = shape.dims();
  for (int64_t i = 0; i < axis; ++i) v.outer *= d[static_cast<size_t>(i)];
  v.channels = d[static_cast<size_t>(axis)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < d.size(); ++i) v.inner *= d[i];
  return v;
}

unsigned blocks_for(int64_t items) { return static_cast<unsigned>(std::clamp<int64_t>(items, 1, int64_t{1} << 20)); }

}  // namespace

Tensor reduce(const ReduceArgs& args) {
  const Tensor& src = args.src;
  cudaStream_t s = prepare(src.device(), "reduce");
  const auto& sd = src.shape().dims();
  const bool logical = args.op == ReduceOp::all || args.op == ReduceOp::any;
  std::vector<bool> reduced(sd.size(), false);
  for (int64_t a : args.axes) {
    if (a < 0 || a >= static_cast<int64_t>(sd.size())) {
      throw ValueError("reduce: axis " + std::to_string(a) + " is out of bounds for shape " + src.shape().str());
    }
    reduced[static_cast<size_t>(a)] = true;
  }
  std::vector<int64_t> out_dims;
  for (size_t d = 0; d < sd.size(); ++d) {
    if (!reduced[d]) out_dims.push_back(sd[d]);
    else if (args.keepdims) out_dims.push_back(1);
  }
  Tensor dst = Tensor::empty(Shape(out_dims), logical ? DType::bool_ : src.dtype(), src.device());
  if (dst.size() == 0) return dst;
  // Drop size-1 axes, then merge neighbouring axes of the same kind (dense: they are contiguous).
  ReduceGeometry g;
  std::vector<int64_t> dims, strides;
  std::vector<bool> kinds;
  int64_t step = 1;
  for (size_t d = sd.size(); d-- > 0;) {
    if (sd[d] != 1) {
      if (!dims.empty() && kinds.back() == reduced[d]) {
        dims.back() *= sd[d];
      } else {
        dims.push_back(sd[d]);
        strides.push_back(step);
        kinds.push_back(reduced[d]);
      }
    }
    step *= sd[d];
  }
  if (dims.size() > 8) throw NotImplementedError("reduce on CUDA: more than 8 alternating axes in " + src.shape().str());
  for (size_t i = dims.size(); i-- > 0;) {  // back to outermost-first
    if (kinds[i]) {
      g.rdims[g.nr] = dims[i];
      g.rstrides[g.nr++] = strides[i];
      g.r *= dims[i];
    } else {
      g.kdims[g.nk] = dims[i];
      g.kstrides[g.nk++] = strides[i];
      g.outputs *= dims[i];
    }
  }
  const bool rows = !kinds.empty() && kinds.front();  // the innermost non-unit axis is reduced
  visit_all(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (logical) reduce_typed(args.op, cptr<T>(src), mptr<bool>(dst), g, rows, s);
    else reduce_typed(args.op, cptr<T>(src), mptr<T>(dst), g, rows, s);
  });
  return dst;
}

Tensor arg_reduce(const Tensor& src, int64_t axis, bool keepdims, bool is_max) {
  cudaStream_t s = prepare(src.device(), "arg_reduce");
  const ArgReduceDims dims = arg_reduce_dims(src.shape(), axis, keepdims);
  const int64_t outer = dims.outer, r = dims.r, inner = dims.inner;
  Tensor dst = Tensor::empty(dims.out, DType::int32, src.device());
  if (dst.size() == 0) return dst;
  visit_all(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    arg_reduce_kernel<T><<<grid_for(outer * inner, 256), 256, 0, s>>>(cptr<T>(src), mptr<int32_t>(dst), outer, r,
                                                                      inner, is_max);
    KERAS_CUDA_CHECK_LAUNCH();
  });
  return dst;
}

Tensor softmax(const Tensor& src, int64_t axis, bool log) {
  cudaStream_t s = prepare(src.device(), "softmax");
  const auto& sd = src.shape().dims();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= sd[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < sd.size(); ++d) inner *= sd[d];
  const int64_t r = sd.empty() ? 1 : sd[static_cast<size_t>(axis)];
  Tensor dst = Tensor::empty(src.shape(), src.dtype(), src.device());
  if (dst.size() == 0) return dst;
  visit_floating(src.dtype(), "softmax", [&](auto tag) {
    using T = decltype(tag);
    if (inner == 1) {
      softmax_rows<T><<<grid_for(outer, 8), 256, 0, s>>>(cptr<T>(src), mptr<T>(dst), outer, r, log);
    } else {
      softmax_columns<T><<<grid_for(outer * inner, 256), 256, 0, s>>>(cptr<T>(src), mptr<T>(dst), outer, r, inner, log);
    }
    KERAS_CUDA_CHECK_LAUNCH();
  });
  return dst;
}

LayerNormForwardResult layer_norm_forward(const LayerNormForwardArgs& a) {
  const Device device = a.src.device();
  cudaStream_t s = prepare(device, "layer_norm_forward");
  check_on(a.scale, device, "layer_norm_forward", "scale");
  check_on(a.shift, device, "layer_norm_forward", "shift");
  const DType dtype = a.src.dtype();
  const int64_t rows = a.cols > 0 ? a.src.size() / a.cols : 0;
  LayerNormForwardResult r;
  r.dst = Tensor::empty(a.src.shape(), dtype, device);
  r.mean = Tensor::empty(Shape{rows}, dtype, device);
  r.variance = Tensor::empty(Shape{rows}, dtype, device);
  const Tensor scale = as(a.scale, dtype), shift = as(a.shift, dtype);
  visit_floating(dtype, "layer_norm_forward", [&](auto tag) {
    using T = decltype(tag);
    if (rows == 0) return;
    layer_norm_forward_kernel<T><<<blocks_for(rows), kNormBlock, 0, s>>>(
        cptr<T>(a.src), opt<T>(scale), opt<T>(shift), mptr<T>(r.dst), mptr<T>(r.mean), mptr<T>(r.variance), rows,
        a.cols, a.epsilon);
    KERAS_CUDA_CHECK_LAUNCH();
  });
  return r;
}

LayerNormBackwardResult layer_norm_backward(const LayerNormBackwardArgs& a) {
  const Device device = a.src.device();
  cudaStream_t s = prepare(device, "layer_norm_backward");
  check_on(a.scale, device, "layer_norm_backward", "scale");
  const DType dtype = a.src.dtype();
  const int64_t rows = a.cols > 0 ? a.src.size() / a.cols : 0;
  const Tensor mean = as(a.mean, dtype), variance = as(a.variance, dtype), scale = as(a.scale, dtype);
  LayerNormBackwardResult r;
  r.diff_src = Tensor::empty(a.src.shape(), dtype, device);
  if (scale.defined()) r.diff_scale = Tensor::empty(a.scale.shape(), dtype, device);
  if (a.use_shift) r.diff_shift = Tensor::empty(a.shift_shape, dtype, device);
  visit_floating(dtype, "layer_norm_backward", [&](auto tag) {
    using T = decltype(tag);
    if (rows > 0) {
      layer_norm_backward_kernel<T><<<blocks_for(rows), kNormBlock, 0, s>>>(
          cptr<T>(a.src), cptr<T>(a.diff_dst), cptr<T>(mean), cptr<T>(variance), opt<T>(scale), mptr<T>(r.diff_src),
          rows, a.cols, a.epsilon);
      KERAS_CUDA_CHECK_LAUNCH();
    }
    if ((scale.defined() || a.use_shift) && a.cols > 0) {
      layer_norm_params_kernel<T><<<static_cast<unsigned>((a.cols + 31) / 32), dim3(32, 8), 0, s>>>(
          cptr<T>(a.src), cptr<T>(a.diff_dst), cptr<T>(mean), cptr<T>(variance),
          r.diff_scale.defined() ? mptr<T>(r.diff_scale) : nullptr,
          r.diff_shift.defined() ? mptr<T>(r.diff_shift) : nullptr, rows, a.cols, a.epsilon);
      KERAS_CUDA_CHECK_LAUNCH();
    }
  });
  return r;
}

BatchNormForwardResult batch_norm_forward(const BatchNormForwardArgs& a) {
  const Device device = a.src.device();
  cudaStream_t s = prepare(device, "batch_norm_forward");
  for (const Tensor* t : {&a.scale, &a.shift, &a.mean, &a.variance}) check_on(*t, device, "batch_norm_forward", "a parameter");
  const DType dtype = a.src.dtype();
  const ChannelView v = channel_view(a.src.shape(), a.axis);
  const Shape c_shape{v.channels};
  BatchNormForwardResult r;
  r.dst = Tensor::empty(a.src.shape(), dtype, device);
  const bool global = a.mean.defined();
  r.mean = global ? as(a.mean, dtype) : Tensor::empty(c_shape, dtype, device);
  r.variance = global ? as(a.variance, dtype) : Tensor::empty(c_shape, dtype, device);
  const Tensor scale = as(a.scale, dtype), shift = as(a.shift, dtype);
  visit_floating(dtype, "batch_norm_forward", [&](auto tag) {
    using T = decltype(tag);
    if (!global && v.channels > 0) {
      batch_norm_stats_kernel<T><<<blocks_for(v.channels), kNormBlock, 0, s>>>(
          cptr<T>(a.src), mptr<T>(r.mean), mptr<T>(r.variance), v.outer, v.channels, v.inner);
      KERAS_CUDA_CHECK_LAUNCH();
    }
    const int64_t n = a.src.size();
    if (n == 0) return;
    batch_norm_apply_kernel<T><<<grid_for(n, 256), 256, 0, s>>>(cptr<T>(a.src), cptr<T>(r.mean), cptr<T>(r.variance),
                                                               opt<T>(scale), opt<T>(shift), mptr<T>(r.dst), n,
                                                               v.channels, v.inner, a.epsilon);
    KERAS_CUDA_CHECK_LAUNCH();
  });
  return r;
}

BatchNormBackwardResult batch_norm_backward(const BatchNormBackwardArgs& a) {
  const Device device = a.src.device();
  cudaStream_t s = prepare(device, "batch_norm_backward");
  check_on(a.scale, device, "batch_norm_backward", "scale");
  const DType dtype = a.src.dtype();
  const ChannelView v = channel_view(a.src.shape(), a.axis);
  const Shape c_shape{v.channels};
  const Tensor mean = as(a.mean, dtype), variance = as(a.variance, dtype), scale = as(a.scale, dtype);
  BatchNormBackwardResult r;
  r.diff_src = Tensor::empty(a.src.shape(), dtype, device);
  const Tensor sum_dy = Tensor::empty(c_shape, dtype, device), sum_dy_xhat = Tensor::empty(c_shape, dtype, device);
  visit_floating(dtype, "batch_norm_backward", [&](auto tag) {
    using T = decltype(tag);
    if (v.channels == 0) return;
    batch_norm_sums_kernel<T><<<blocks_for(v.channels), kNormBlock, 0, s>>>(
        cptr<T>(a.src), cptr<T>(a.diff_dst), cptr<T>(mean), cptr<T>(variance), mptr<T>(sum_dy), mptr<T>(sum_dy_xhat),
        v.outer, v.channels, v.inner, a.epsilon);
    KERAS_CUDA_CHECK_LAUNCH();
    const int64_t n = a.src.size();
    if (n == 0) return;
    batch_norm_backward_kernel<T><<<grid_for(n, 256), 256, 0, s>>>(
        cptr<T>(a.src), cptr<T>(a.diff_dst), cptr<T>(mean), cptr<T>(variance), opt<T>(scale), cptr<T>(sum_dy),
        cptr<T>(sum_dy_xhat), mptr<T>(r.diff_src), n, v.channels, v.inner, v.outer * v.inner, a.epsilon);
    KERAS_CUDA_CHECK_LAUNCH();
  });
  if (scale.defined()) r.diff_scale = sum_dy_xhat;
  if (a.use_shift) r.diff_shift = sum_dy;
  return r;
}

}  // namespace keras::kernels::cuda
