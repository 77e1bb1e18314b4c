// One-pass kernels: bias and relu after cuBLASLt/cuDNN, layout moves for cuDNN (permute3,
// window_copy), random (the CPU's Philox stream), and the fused optimizer updates. Built with
// -fmad=false (kernels/cuda/CMakeLists.txt) so that no multiply and add fuse into an FMA: the
// updates then round as the separate ops do, as the CPU's (-ffp-contract=off) do.
#include <keras/kernels/cuda/cuda_kernels.h>
#include <keras/kernels/cuda/dnn_device.cuh>
#include <keras/kernels/cuda/dnn_launch.h>

#include <cmath>
#include <limits>

namespace keras::kernels::cuda {

using namespace dnn;  // NOLINT(google-build-using-namespace): this backend's own helpers

namespace {

constexpr int kBlock = 256;

// ---- bias and relu ----

template <class T>
__global__ void bias_relu_kernel(T* x, const T* bias, int64_t n, int64_t channels, int64_t inner, bool relu) {
  using C = Compute<T>;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    C v = load_as<C>(x[i]);
    if (bias) v = v + load_as<C>(bias[(i / inner) % channels]);
    if (relu && v < C(0)) v = C(0);  // NaN < 0 is false: NaN stays
    x[i] = store_as<T>(v);
  }
}

// ---- permute3 and window_copy ----

template <class E>
__global__ void permute3_kernel(const E* src, E* dst, int64_t o0, int64_t o1, int64_t o2, int64_t s0, int64_t s1,
                                int64_t s2) {
  const int64_t n = o0 * o1 * o2;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t c2 = i % o2, c1 = (i / o2) % o1, c0 = i / (o1 * o2);
    dst[i] = src[c0 * s0 + c1 * s1 + c2 * s2];
  }
}

struct Window {
  int rank;
  int64_t dst_dims[6], src_dims[6], src_strides[6], offset[6];
};

template <class E>
__global__ void window_copy_kernel(const E* src, E* dst, int64_t n, Window w) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t rest = i, at = 0;
    bool inside = true;
    for (int d = w.rank - 1; d >= 0; --d) {
      const int64_t c = rest % w.dst_dims[d] - w.offset[d];
      rest /= w.dst_dims[d];
      inside = inside && c >= 0 && c < w.src_dims[d];
      at += c * w.src_strides[d];
    }
    dst[i] = inside ? src[at] : E(0);
  }
}

template <class F>
void visit_size(size_t element_size, F&& f) {
  switch (element_size) {
    case 1: f(uint8_t{}); return;
    case 2: f(uint16_t{}); return;
    case 4: f(uint32_t{}); return;
    case 8: f(uint64_t{}); return;
    default: throw ValueError("layout copy: unsupported element size " + std::to_string(element_size));
  }
}

// ---- random ----

__device__ __forceinline__ void philox4x32_10(uint32_t c[4], uint32_t k0, uint32_t k1) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    const uint64_t p0 = uint64_t{kMul0} * c[0];
    const uint64_t p1 = uint64_t{kMul1} * c[2];
    const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k0, n1 = static_cast<uint32_t>(p1);
    const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k1, n3 = static_cast<uint32_t>(p0);
    c[0] = n0;
    c[1] = n1;
    c[2] = n2;
    c[3] = n3;
  }
}

// The CPU kernel's formulas (kernels/cpu/random.cpp), element for element.
template <class T>
__global__ void random_kernel(T* dst, int64_t n, Distribution dist, double a, double b, uint64_t seed, uint64_t counter,
                              T top) {
  constexpr double kTwoPi = 6.283185307179586;
  const uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const uint64_t c = counter + static_cast<uint64_t>(i);
    double v = a;
    for (uint32_t attempt = 0; attempt < 64; ++attempt) {
      uint32_t r[4] = {static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), attempt, 0};
      philox4x32_10(r, k0, k1);
      if (dist == Distribution::uniform) {
        const double u = std::is_same_v<T, double>
                             ? static_cast<double>((static_cast<uint64_t>(r[0] >> 5) << 26) | (r[1] >> 6)) * 0x1p-53
                             : static_cast<double>(r[0]) * 0x1p-32;
        v = a + (b - a) * u;
        break;
      }
      const double u1 = 1.0 - static_cast<double>(r[0]) * 0x1p-32;
      const double z = sqrt(-2.0 * log(u1)) * cos(kTwoPi * (static_cast<double>(r[1]) * 0x1p-32));
      if (dist == Distribution::normal || fabs(z) <= 2.0) {
        v = a + b * z;
        break;
      }
    }
    T out = store_as<T>(std::is_same_v<T, double> ? v : static_cast<double>(static_cast<float>(v)));
    if (dist == Distribution::uniform && b > a && load_as<double>(out) >= b) out = top;
    dst[i] = out;
  }
}

// The largest T below `bound`, as kernels/cpu/random.cpp's below<T>, in the device type's bits.
template <class T>
T below(double bound) {
  if constexpr (std::is_same_v<T, double>) {
    return std::nextafter(bound, -std::numeric_limits<double>::infinity());
  } else if constexpr (std::is_same_v<T, float>) {
    const float f = static_cast<float>(bound);
    return static_cast<double>(f) < bound ? f : std::nextafter(f, -std::numeric_limits<float>::infinity());
  } else {
    using H = std::conditional_t<std::is_same_v<T, __half>, float16_t, bfloat16_t>;
    H h(static_cast<float>(bound));
    if (!(static_cast<double>(static_cast<float>(h)) < bound)) {
      if ((h.bits & 0x7fffu) == 0) h.bits = 0x8001u;
      else h.bits = static_cast<uint16_t>((h.bits & 0x8000u) ? h.bits + 1 : h.bits - 1);
    }
    std::conditional_t<std::is_same_v<T, __half>, __half_raw, __nv_bfloat16_raw> raw;
    raw.x = h.bits;
    return T(raw);
  }
}

// ---- optimizer updates (float32 and float64, in T as the CPU loops) ----

template <class T>
__device__ __forceinline__ T nan_maximum(T a, T b) {
  if (isnan(a) || isnan(b)) return a + b;
  return a > b ? a : b;
}

template <class T>
__global__ void adam_kernel(T* w, T* m, T* v, T* v_hat, const T* g, int64_t n, T alpha, T c1, T c2, T eps) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const T gi = g[i];
    const T mi = m[i] + (gi - m[i]) * c1;
    const T vi = v[i] + (gi * gi - v[i]) * c2;
    m[i] = mi;
    v[i] = vi;
    T denominator_v = vi;
    if (v_hat) {
      denominator_v = nan_maximum(v_hat[i], vi);
      v_hat[i] = denominator_v;
    }
    w[i] = w[i] - mi * alpha / (sqrt(denominator_v) + eps);
  }
}

template <class T>
__global__ void sgd_kernel(T* w, T* m, const T* g, int64_t n, T lr, T momentum, bool nesterov) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    if (!m) {
      w[i] = w[i] - g[i] * lr;
      continue;
    }
    const T mi = m[i] * momentum - g[i] * lr;
    m[i] = mi;
    w[i] = nesterov ? w[i] + (mi * momentum - g[i] * lr) : w[i] + mi;
  }
}

template <class T>
__global__ void rmsprop_kernel(T* w, T* vel, T* mom, T* avg, const T* g, int64_t n, T lr, T rho, T one_minus_rho,
                               T momentum, T eps) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const T gi = g[i];
    const T vi = rho * vel[i] + one_minus_rho * (gi * gi);
    vel[i] = vi;
    T denominator;
    if (avg) {
      const T ai = rho * avg[i] + one_minus_rho * gi;
      avg[i] = ai;
      denominator = vi - ai * ai + eps;
    } else {
      denominator = vi + eps;
    }
    const T increment = lr * gi / sqrt(denominator);
    if (mom) {
      const T mi = momentum * mom[i] + increment;
      mom[i] = mi;
      w[i] = w[i] - mi;
    } else {
      w[i] = w[i] - increment;
    }
  }
}

template <class T>
__global__ void weight_decay_kernel(T* w, int64_t n, T wd, T lr) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    w[i] = w[i] - w[i] * wd * lr;
  }
}

void check_operand(const Tensor& t, const Tensor& variable, const char* kernel, const char* what) {
  if (t.dtype() != variable.dtype() || t.shape() != variable.shape() || t.device() != variable.device()) {
    throw ValueError(std::string(kernel) + ": " + what + " has dtype " + std::string(dtype_name(t.dtype())) +
                     ", shape " + t.shape().str() + " and device " + t.device().str() + ", but the variable has " +
                     std::string(dtype_name(variable.dtype())) + ", " + variable.shape().str() + " and " +
                     variable.device().str());
  }
}

template <class F>
void visit_update(const Tensor& variable, const char* kernel, F&& f) {
  switch (variable.dtype()) {
    case DType::float32: f(float{}); return;
    case DType::float64: f(double{}); return;
    default:
      throw ValueError(std::string(kernel) + ": expected float32 or float64 tensors, got " +
                       std::string(dtype_name(variable.dtype())));
  }
}

template <class T>
T* slot(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.mutable_data()) : nullptr;
}

}  // namespace

namespace dnn {

void bias_relu(void* x, const void* bias, DType dtype, int64_t outer, int64_t channels, int64_t inner, bool relu,
               cudaStream_t stream) {
  const int64_t n = outer * channels * inner;
  if (n == 0 || (!bias && !relu)) return;
  visit_floating(dtype, "bias_relu", [&](auto tag) {
    using T = decltype(tag);
    bias_relu_kernel<T><<<grid_for(n, kBlock), kBlock, 0, stream>>>(static_cast<T*>(x), static_cast<const T*>(bias), n,
                                                                  channels, inner, relu);
    KERAS_CUDA_CHECK_LAUNCH();
  });
}

void permute3(const void* src, void* dst, size_t element_size, std::array<int64_t, 3> dims, std::array<int, 3> perm,
              cudaStream_t stream) {
  const int64_t strides[3] = {dims[1] * dims[2], dims[2], 1};
  const int64_t n = dims[0] * dims[1] * dims[2];
  if (n == 0) return;
  visit_size(element_size, [&](auto tag) {
    using E = decltype(tag);
    permute3_kernel<E><<<grid_for(n, kBlock), kBlock, 0, stream>>>(
        static_cast<const E*>(src), static_cast<E*>(dst), dims[perm[0]], dims[perm[1]], dims[perm[2]],
        strides[perm[0]], strides[perm[1]], strides[perm[2]]);
    KERAS_CUDA_CHECK_LAUNCH();
  });
}

void window_copy(const void* src, const Shape& src_shape, void* dst, const Shape& dst_shape,
                 const std::vector<int64_t>& offset, size_t element_size, cudaStream_t stream) {
  Window w{};
  w.rank = static_cast<int>(dst_shape.rank());
  if (w.rank > 6 || src_shape.rank() != dst_shape.rank() || static_cast<int>(offset.size()) != w.rank) {
    throw ValueError("window_copy: expected shapes of equal rank <= 6, got " + src_shape.str() + " and " +
                     dst_shape.str());
  }
  int64_t step = 1;
  for (int d = w.rank - 1; d >= 0; --d) {
    w.dst_dims[d] = dst_shape.dims()[static_cast<size_t>(d)];
    w.src_dims[d] = src_shape.dims()[static_cast<size_t>(d)];
    w.src_strides[d] = step;
    w.offset[d] = offset[static_cast<size_t>(d)];
    step *= w.src_dims[d];
  }
  const int64_t n = dst_shape.size();
  if (n == 0) return;
  visit_size(element_size, [&](auto tag) {
    using E = decltype(tag);
    window_copy_kernel<E><<<grid_for(n, kBlock), kBlock, 0, stream>>>(static_cast<const E*>(src), static_cast<E*>(dst),
                                                                     n, w);
    KERAS_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace dnn

Tensor random(const RandomArgs& args) {
  if (!is_floating(args.dtype)) {
    throw ValueError("random: dtype must be floating, got " + std::string(dtype_name(args.dtype)));
  }
  cudaStream_t s = prepare(args.device, "random");
  Tensor dst = Tensor::empty(args.shape, args.dtype, args.device);
  const int64_t n = dst.size();
  if (n == 0) return dst;
  visit_floating(args.dtype, "random", [&](auto tag) {
    using T = decltype(tag);
    random_kernel<T><<<grid_for(n, kBlock), kBlock, 0, s>>>(mptr<T>(dst), n, args.distribution, args.a, args.b,
                                                          args.seed, args.counter, below<T>(args.b));
    KERAS_CUDA_CHECK_LAUNCH();
  });
  return dst;
}

void adam_update(const AdamUpdateArgs& a) {
  const char* kernel = "adam_update";
  check_operand(a.m, a.variable, kernel, "m");
  check_operand(a.v, a.variable, kernel, "v");
  check_operand(a.gradient, a.variable, kernel, "the gradient");
  if (a.v_hat.defined()) check_operand(a.v_hat, a.variable, kernel, "v_hat");
  cudaStream_t s = prepare(a.variable.device(), kernel);
  const int64_t n = a.variable.size();
  if (n == 0) return;
  visit_update(a.variable, kernel, [&](auto tag) {
    using T = decltype(tag);
    // On the host, as the CPU kernel computes it: lr·sqrt(1 - beta_2^t) / (1 - beta_1^t) in T.
    const T step = static_cast<T>(a.step);
    const T beta_1_power = std::pow(static_cast<T>(a.beta_1), step);
    const T beta_2_power = std::pow(static_cast<T>(a.beta_2), step);
    const T alpha = static_cast<T>(a.learning_rate) * std::sqrt(T{1} - beta_2_power) / (T{1} - beta_1_power);
    adam_kernel<T><<<grid_for(n, kBlock), kBlock, 0, s>>>(slot<T>(a.variable), slot<T>(a.m), slot<T>(a.v),
                                                        slot<T>(a.v_hat), cptr<T>(a.gradient), n, alpha,
                                                        static_cast<T>(1 - a.beta_1), static_cast<T>(1 - a.beta_2),
                                                        static_cast<T>(a.epsilon));
    KERAS_CUDA_CHECK_LAUNCH();
  });
}

void sgd_update(const SGDUpdateArgs& a) {
  const char* kernel = "sgd_update";
  check_operand(a.gradient, a.variable, kernel, "the gradient");
  if (a.m.defined()) check_operand(a.m, a.variable, kernel, "the momentum");
  cudaStream_t s = prepare(a.variable.device(), kernel);
  const int64_t n = a.variable.size();
  if (n == 0) return;
  visit_update(a.variable, kernel, [&](auto tag) {
    using T = decltype(tag);
    sgd_kernel<T><<<grid_for(n, kBlock), kBlock, 0, s>>>(slot<T>(a.variable), slot<T>(a.m), cptr<T>(a.gradient), n,
                                                       static_cast<T>(a.learning_rate), static_cast<T>(a.momentum),
                                                       a.nesterov);
    KERAS_CUDA_CHECK_LAUNCH();
  });
}

void rmsprop_update(const RMSpropUpdateArgs& a) {
  const char* kernel = "rmsprop_update";
  check_operand(a.velocity, a.variable, kernel, "the velocity");
  check_operand(a.gradient, a.variable, kernel, "the gradient");
  if (a.momentum_slot.defined()) check_operand(a.momentum_slot, a.variable, kernel, "the momentum");
  if (a.average_gradient.defined()) check_operand(a.average_gradient, a.variable, kernel, "the average gradient");
  cudaStream_t s = prepare(a.variable.device(), kernel);
  const int64_t n = a.variable.size();
  if (n == 0) return;
  visit_update(a.variable, kernel, [&](auto tag) {
    using T = decltype(tag);
    rmsprop_kernel<T><<<grid_for(n, kBlock), kBlock, 0, s>>>(
        slot<T>(a.variable), slot<T>(a.velocity), slot<T>(a.momentum_slot), slot<T>(a.average_gradient),
        cptr<T>(a.gradient), n, static_cast<T>(a.learning_rate), static_cast<T>(a.rho), static_cast<T>(1 - a.rho),
        static_cast<T>(a.momentum), static_cast<T>(a.epsilon));
    KERAS_CUDA_CHECK_LAUNCH();
  });
}

void weight_decay_update(const Tensor& variable, double weight_decay, double learning_rate) {
  cudaStream_t s = prepare(variable.device(), "weight_decay_update");
  const int64_t n = variable.size();
  visit_update(variable, "weight_decay_update", [&](auto tag) {
    using T = decltype(tag);
    if (n == 0) return;
    weight_decay_kernel<T><<<grid_for(n, kBlock), kBlock, 0, s>>>(slot<T>(variable), n, static_cast<T>(weight_decay),
                                                                static_cast<T>(learning_rate));
    KERAS_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace keras::kernels::cuda
