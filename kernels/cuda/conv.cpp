// Convolution forward, backward data and backward weights on cuDNN's convolution API (1-D as 2-D
// with a unit height; groups, dilation, strides; both layouts described to cuDNN by strides).
// Keras's (*kernel, C / groups, O) weights are transposed to the filter layout matching the data
// layout (KRSC for channels_last, KCRS for channels_first) on every call: one small kernel, so an
// optimizer update never meets a stale copy. cuDNN takes symmetric padding only: the common part
// goes to cuDNN, the rest is explicit zero padding of src (and cropping of diff_src). Bias and
// relu run as one kernel after the convolution (cuDNN's fused relu drops NaN). Descriptors and
// algorithms (cuDNN's heuristics, the first that fits kMaxWorkspace) are made once per shape.
// float16 and bfloat16 run in float32, as on the CPU; float64 runs channels_first (see below).
#include <keras/kernels/conv_dims.h>
#include <keras/kernels/cuda/cuda_context.h>
#include <keras/kernels/cuda/cuda_kernels.h>
#include <keras/kernels/cuda/dnn_launch.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace keras::kernels::cuda {

using namespace dnn;  // NOLINT(google-build-using-namespace): this backend's own helpers

namespace {

constexpr size_t kMaxWorkspace = size_t{1} << 30;

// The sizes, and the padding split into cuDNN's symmetric part and the explicit rest.
struct Dims : ConvDims {
  std::vector<int64_t> pad = {}, extra_l = {}, extra_r = {};
};

Dims read_dims(const Shape& src, const Shape& weights, const ConvGeometry& g, const char* kernel) {
  Dims d;
  static_cast<ConvDims&>(d) = read_conv_dims(src, weights, g, kernel);
  for (size_t i = 0; i < d.nsp; ++i) {
    const int64_t sym = std::min(g.padding_l[i], g.padding_r[i]);
    d.pad.push_back(sym);
    d.extra_l.push_back(g.padding_l[i] - sym);
    d.extra_r.push_back(g.padding_r[i] - sym);
  }
  return d;
}

bool asymmetric(const Dims& d) {
  for (size_t i = 0; i < d.nsp; ++i) {
    if (d.extra_l[i] != 0 || d.extra_r[i] != 0) return true;
  }
  return false;
}

Shape act_shape(int64_t n, int64_t channels, const std::vector<int64_t>& spatial, bool channels_first) {
  std::vector<int64_t> s{n};
  if (channels_first) s.push_back(channels);
  s.insert(s.end(), spatial.begin(), spatial.end());
  if (!channels_first) s.push_back(channels);
  return Shape(s);
}

std::vector<int64_t> padded_in(const Dims& d) {
  std::vector<int64_t> in = d.in;
  for (size_t i = 0; i < d.nsp; ++i) in[i] += d.extra_l[i] + d.extra_r[i];
  return in;
}

// The offset of src inside padded src (window_copy's), per axis of the activation tensor.
std::vector<int64_t> pad_offset(const Dims& d, bool channels_first, int sign) {
  std::vector<int64_t> off(d.nsp + 2, 0);
  for (size_t i = 0; i < d.nsp; ++i) off[channels_first ? i + 2 : i + 1] = sign * d.extra_l[i];
  return off;
}

void check_shape(const Shape& got, const Shape& want, const char* kernel, const char* what) {
  if (got != want) {
    throw ValueError(std::string(kernel) + ": expected " + what + " of shape " + want.str() + ", got " + got.str());
  }
}

cudnnDataType_t cudnn_type(DType dtype) { return dtype == DType::float64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT; }

// cuDNN's view: N, C, spatial (a unit height in front for 1-D), strides from the layout.
void set_activation(cudnnTensorDescriptor_t desc, DType dtype, int64_t n, int64_t channels,
                    const std::vector<int64_t>& spatial, bool channels_first) {
  std::vector<int64_t> sp = spatial;
  if (sp.size() == 1) sp.insert(sp.begin(), 1);
  int64_t positions = 1;
  for (int64_t x : sp) positions *= x;
  std::vector<int> dims{static_cast<int>(n), static_cast<int>(channels)}, strides(sp.size() + 2);
  for (int64_t x : sp) dims.push_back(static_cast<int>(x));
  strides[0] = static_cast<int>(positions * channels);
  strides[1] = static_cast<int>(channels_first ? positions : 1);
  int64_t step = channels_first ? 1 : channels;
  for (size_t i = sp.size(); i-- > 0;) {
    strides[i + 2] = static_cast<int>(step);
    step *= sp[i];
  }
  KERAS_CUDNN_CHECK(cudnnSetTensorNdDescriptor(desc, cudnn_type(dtype), static_cast<int>(dims.size()), dims.data(),
                                               strides.data()));
}

struct Plan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  int fwd = -1, bwd_data = -1, bwd_filter = -1;  // algorithms, chosen on first use
  size_t fwd_ws = 0, bwd_data_ws = 0, bwd_filter_ws = 0;
};

std::string plan_key(const Dims& d, const ConvGeometry& g, DType dtype, int device) {
  // Appended piece by piece: "," + std::to_string(v) trips GCC 12's false -Wrestrict at -O3.
  std::string key = std::to_string(device);
  auto add = [&key](int64_t v) {
    key += ',';
    key += std::to_string(v);
  };
  add(static_cast<int64_t>(dtype));
  add(allow_tf32());
  add(g.channels_first);
  for (int64_t v : {d.n, d.c, d.o, d.groups}) add(v);
  for (size_t i = 0; i < d.nsp; ++i) {
    for (int64_t v : {d.in[i], d.k[i], g.strides[i], g.dilation[i], g.padding_l[i], g.padding_r[i]}) add(v);
  }
  return key;
}

Plan make_plan(const Dims& d, const ConvGeometry& g, DType dtype) {
  for (int64_t v : {d.n, d.c, d.o}) {
    if (v > INT32_MAX) throw NotImplementedError("conv on CUDA: sizes beyond 2^31 are not supported");
  }
  Plan p;
  KERAS_CUDNN_CHECK(cudnnCreateTensorDescriptor(&p.x));
  KERAS_CUDNN_CHECK(cudnnCreateTensorDescriptor(&p.y));
  KERAS_CUDNN_CHECK(cudnnCreateFilterDescriptor(&p.w));
  KERAS_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&p.conv));
  set_activation(p.x, dtype, d.n, d.c, padded_in(d), g.channels_first);
  set_activation(p.y, dtype, d.n, d.o, d.out, g.channels_first);
  std::vector<int> filter{static_cast<int>(d.o), static_cast<int>(d.c / d.groups)};
  std::vector<int> pad, stride, dilation;
  if (d.nsp == 1) {
    filter.push_back(1);
    pad.push_back(0);
    stride.push_back(1);
    dilation.push_back(1);
  }
  for (size_t i = 0; i < d.nsp; ++i) {
    filter.push_back(static_cast<int>(d.k[i]));
    pad.push_back(static_cast<int>(d.pad[i]));
    stride.push_back(static_cast<int>(g.strides[i]));
    dilation.push_back(static_cast<int>(g.dilation[i]));
  }
  KERAS_CUDNN_CHECK(cudnnSetFilterNdDescriptor(p.w, cudnn_type(dtype), g.channels_first ? CUDNN_TENSOR_NCHW : CUDNN_TENSOR_NHWC,
                                               static_cast<int>(filter.size()), filter.data()));
  KERAS_CUDNN_CHECK(cudnnSetConvolutionNdDescriptor(p.conv, static_cast<int>(pad.size()), pad.data(), stride.data(),
                                                    dilation.data(), CUDNN_CROSS_CORRELATION, cudnn_type(dtype)));
  KERAS_CUDNN_CHECK(cudnnSetConvolutionGroupCount(p.conv, static_cast<int>(d.groups)));
  const cudnnMathType_t math = dtype == DType::float32 && allow_tf32() ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
  KERAS_CUDNN_CHECK(cudnnSetConvolutionMathType(p.conv, math));
  return p;
}

// Thrown by pick; a channels_last convolution then retries channels_first.
struct NoAlgorithm : RuntimeError {
  using RuntimeError::RuntimeError;
};

// The first of cuDNN's ranked algorithms that succeeds within the workspace limit.
template <class Perf>
void pick(const Perf* perf, int returned, const char* kernel, int& algo, size_t& ws) {
  for (int i = 0; i < returned; ++i) {
    if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].memory <= kMaxWorkspace) {
      algo = static_cast<int>(perf[i].algo);
      ws = perf[i].memory;
      return;
    }
  }
  throw NoAlgorithm(std::string(kernel) + ": cuDNN offers no algorithm for this convolution within " +
                     std::to_string(kMaxWorkspace >> 20) + " MiB of workspace");
}

struct Context {
  cudaStream_t stream;
  cudnnHandle_t handle;
  int device;
};

Context context(const Device& device, const char* kernel) {
  cudaStream_t s = prepare(device, kernel);
  return {s, cudnn(device.index), device.index};
}

// The cached plan for this convolution (made on first use), under the lock the caller holds.
Plan& plan_for(const Dims& d, const ConvGeometry& g, DType dtype, int device) {
  static std::unordered_map<std::string, Plan> plans;
  const std::string key = plan_key(d, g, dtype, device);
  auto it = plans.find(key);
  if (it == plans.end()) it = plans.emplace(key, make_plan(d, g, dtype)).first;
  return it->second;
}

std::mutex& plan_mutex() {
  static std::mutex m;
  return m;
}

// Keras's (*kernel, C / groups, O) weights in the filter layout of `plan` (see the file comment).
Tensor to_filter(const Tensor& weights, const Dims& d, bool channels_first, cudaStream_t s) {
  int64_t kvol = 1;
  for (int64_t k : d.k) kvol *= k;
  const int64_t cg = d.c / d.groups;
  Tensor out = Tensor::empty(weights.shape(), weights.dtype(), weights.device());
  permute3(weights.data(), out.mutable_data(), dtype_size(weights.dtype()), {kvol, cg, d.o},
           channels_first ? std::array<int, 3>{2, 1, 0} : std::array<int, 3>{2, 0, 1}, s);
  return out;
}

void require_float(DType dtype, const char* kernel) {
  if (dtype != DType::float32 && dtype != DType::float64 && !is_half(dtype)) {
    throw ValueError(std::string(kernel) + ": expected floating operands, got " + std::string(dtype_name(dtype)));
  }
}

void check_device(const Tensor& t, const Device& device, const char* kernel) {
  if (t.defined() && t.device() != device) {
    throw ValueError(std::string(kernel) + ": operands must be on one device, got " + t.device().str() + " and " +
                     device.str());
  }
}

const void* one(DType dtype) {
  static const double d = 1.0;
  static const float f = 1.0f;
  return dtype == DType::float64 ? static_cast<const void*>(&d) : &f;
}
const void* zero(DType dtype) {
  static const double d = 0.0;
  static const float f = 0.0f;
  return dtype == DType::float64 ? static_cast<const void*>(&d) : &f;
}

// float64 convolutions run channels_first: cuDNN's NHWC kernels are for float and half types.
bool via_channels_first(DType dtype, const ConvGeometry& g, bool retry = false) {
  return (dtype == DType::float64 || retry) && !g.channels_first;
}

ConvGeometry first_geometry(const ConvGeometry& g) {
  ConvGeometry out = g;
  out.channels_first = true;
  return out;
}

// (N, *spatial, C) <-> (N, C, *spatial) of a shape.
Shape move_channels_shape(const Shape& shape, bool to_first) {
  std::vector<int64_t> d = shape.dims();
  if (to_first) {
    const int64_t c = d.back();
    d.pop_back();
    d.insert(d.begin() + 1, c);
  } else {
    const int64_t c = d[1];
    d.erase(d.begin() + 1);
    d.push_back(c);
  }
  return Shape(d);
}

Tensor move_channels(const Tensor& t, bool to_first, cudaStream_t s) {
  const auto& d = t.shape().dims();
  const int64_t n = d[0];
  const int64_t c = to_first ? d.back() : d[1];
  const int64_t positions = n == 0 || c == 0 ? 0 : t.size() / (n * c);
  Tensor out = Tensor::empty(move_channels_shape(t.shape(), to_first), t.dtype(), t.device());
  permute3(t.data(), out.mutable_data(), dtype_size(t.dtype()),
           to_first ? std::array<int64_t, 3>{n, positions, c} : std::array<int64_t, 3>{n, c, positions}, {0, 2, 1}, s);
  return out;
}

}  // namespace

static Tensor conv_forward_impl(const ConvForwardArgs& a, bool retry) {
  const DType dtype = a.src.dtype();
  require_float(dtype, "conv_forward");
  if (a.weights.dtype() != dtype || (a.bias.defined() && a.bias.dtype() != dtype)) {
    throw ValueError("conv_forward: operands must share a dtype");
  }
  check_device(a.weights, a.src.device(), "conv_forward");
  check_device(a.bias, a.src.device(), "conv_forward");
  if (is_half(dtype)) {
    const Tensor bias = a.bias.defined() ? kernels::cast(a.bias, DType::float32) : Tensor();
    return kernels::cast(conv_forward({kernels::cast(a.src, DType::float32), kernels::cast(a.weights, DType::float32),
                                       a.geometry, bias, a.activation}),
                         dtype);
  }
  const Context ctx = context(a.src.device(), "conv_forward");
  if (via_channels_first(dtype, a.geometry, retry)) {
    const ConvGeometry first = first_geometry(a.geometry);
    return move_channels(conv_forward({move_channels(a.src, true, ctx.stream), a.weights, first, a.bias, a.activation}),
                         false, ctx.stream);
  }
  const ConvGeometry& g = a.geometry;
  const Dims d = read_dims(a.src.shape(), a.weights.shape(), g, "conv_forward");
  if (a.bias.defined()) check_shape(a.bias.shape(), Shape{d.o}, "conv_forward", "bias");
  Tensor dst = Tensor::empty(act_shape(d.n, d.o, d.out, g.channels_first), dtype, a.src.device());
  if (dst.size() == 0) return dst;
  int64_t positions = 1;
  for (int64_t x : d.out) positions *= x;
  const int64_t outer = g.channels_first ? d.n : d.n * positions, inner = g.channels_first ? positions : 1;
  const bool relu = a.activation == ConvActivation::relu;
  if (a.src.size() == 0 || a.weights.size() == 0) {  // an empty sum: the bias alone
    KERAS_CUDA_CHECK(cudaMemsetAsync(dst.mutable_data(), 0, dst.nbytes(), ctx.stream));
    bias_relu(dst.mutable_data(), a.bias.defined() ? a.bias.data() : nullptr, dtype, outer, d.o, inner, relu, ctx.stream);
    return dst;
  }
  Tensor src = a.src;
  if (asymmetric(d)) {
    src = Tensor::empty(act_shape(d.n, d.c, padded_in(d), g.channels_first), dtype, a.src.device());
    window_copy(a.src.data(), a.src.shape(), src.mutable_data(), src.shape(), pad_offset(d, g.channels_first, 1),
                dtype_size(dtype), ctx.stream);
  }
  const Tensor filter = to_filter(a.weights, d, g.channels_first, ctx.stream);
  std::lock_guard lock(plan_mutex());
  Plan& p = plan_for(d, g, dtype, ctx.device);
  if (p.fwd < 0) {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int returned = 0;
    KERAS_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(ctx.handle, p.x, p.w, p.conv, p.y,
                                                             CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, perf));
    pick(perf, returned, "conv_forward", p.fwd, p.fwd_ws);
  }
  void* work = p.fwd_ws > 0 ? workspace(ctx.device, p.fwd_ws) : nullptr;
  KERAS_CUDNN_CHECK(cudnnConvolutionForward(ctx.handle, one(dtype), p.x, src.data(), p.w, filter.data(), p.conv,
                                            static_cast<cudnnConvolutionFwdAlgo_t>(p.fwd), work, p.fwd_ws, zero(dtype),
                                            p.y, dst.mutable_data()));
  bias_relu(dst.mutable_data(), a.bias.defined() ? a.bias.data() : nullptr, dtype, outer, d.o, inner, relu, ctx.stream);
  return dst;
}

static Tensor conv_backward_data_impl(const ConvBackwardDataArgs& a, bool retry) {
  const DType dtype = a.diff_dst.dtype();
  require_float(dtype, "conv_backward_data");
  if (a.weights.dtype() != dtype) throw ValueError("conv_backward_data: operands must share a dtype");
  check_device(a.weights, a.diff_dst.device(), "conv_backward_data");
  if (is_half(dtype)) {
    return kernels::cast(conv_backward_data({kernels::cast(a.diff_dst, DType::float32),
                                             kernels::cast(a.weights, DType::float32), a.src_shape, a.geometry}),
                         dtype);
  }
  const Context ctx = context(a.diff_dst.device(), "conv_backward_data");
  if (via_channels_first(dtype, a.geometry, retry)) {
    const ConvGeometry first = first_geometry(a.geometry);
    const Shape src_shape = move_channels_shape(a.src_shape, true);
    return move_channels(
        conv_backward_data({move_channels(a.diff_dst, true, ctx.stream), a.weights, src_shape, first}), false,
        ctx.stream);
  }
  const ConvGeometry& g = a.geometry;
  const Dims d = read_dims(a.src_shape, a.weights.shape(), g, "conv_backward_data");
  check_shape(a.diff_dst.shape(), act_shape(d.n, d.o, d.out, g.channels_first), "conv_backward_data", "diff_dst");
  Tensor diff_src = Tensor::empty(a.src_shape, dtype, a.diff_dst.device());
  if (diff_src.size() == 0) return diff_src;
  if (a.diff_dst.size() == 0 || a.weights.size() == 0) {
    KERAS_CUDA_CHECK(cudaMemsetAsync(diff_src.mutable_data(), 0, diff_src.nbytes(), ctx.stream));
    return diff_src;
  }
  const bool pad = asymmetric(d);
  Tensor target = pad ? Tensor::empty(act_shape(d.n, d.c, padded_in(d), g.channels_first), dtype, a.diff_dst.device())
                      : diff_src;
  const Tensor filter = to_filter(a.weights, d, g.channels_first, ctx.stream);
  {
    std::lock_guard lock(plan_mutex());
    Plan& p = plan_for(d, g, dtype, ctx.device);
    if (p.bwd_data < 0) {
      cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
      int returned = 0;
      KERAS_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(ctx.handle, p.w, p.y, p.conv, p.x,
                                                                    CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &returned, perf));
      pick(perf, returned, "conv_backward_data", p.bwd_data, p.bwd_data_ws);
    }
    void* work = p.bwd_data_ws > 0 ? workspace(ctx.device, p.bwd_data_ws) : nullptr;
    KERAS_CUDNN_CHECK(cudnnConvolutionBackwardData(ctx.handle, one(dtype), p.w, filter.data(), p.y, a.diff_dst.data(),
                                                   p.conv, static_cast<cudnnConvolutionBwdDataAlgo_t>(p.bwd_data), work,
                                                   p.bwd_data_ws, zero(dtype), p.x, target.mutable_data()));
  }
  if (pad) {
    window_copy(target.data(), target.shape(), diff_src.mutable_data(), diff_src.shape(),
                pad_offset(d, g.channels_first, -1), dtype_size(dtype), ctx.stream);
  }
  return diff_src;
}

static Tensors conv_backward_weights_impl(const ConvBackwardWeightsArgs& a, bool retry) {
  const DType dtype = a.src.dtype();
  require_float(dtype, "conv_backward_weights");
  if (a.diff_dst.dtype() != dtype) throw ValueError("conv_backward_weights: operands must share a dtype");
  check_device(a.diff_dst, a.src.device(), "conv_backward_weights");
  if (is_half(dtype)) {
    Tensors out = conv_backward_weights({kernels::cast(a.src, DType::float32), kernels::cast(a.diff_dst, DType::float32),
                                         a.weights_shape, a.geometry, a.with_bias});
    for (Tensor& t : out) t = kernels::cast(t, dtype);
    return out;
  }
  const Context ctx = context(a.src.device(), "conv_backward_weights");
  if (via_channels_first(dtype, a.geometry, retry)) {
    const ConvGeometry first = first_geometry(a.geometry);
    return conv_backward_weights({move_channels(a.src, true, ctx.stream), move_channels(a.diff_dst, true, ctx.stream),
                                  a.weights_shape, first, a.with_bias});
  }
  const ConvGeometry& g = a.geometry;
  const Dims d = read_dims(a.src.shape(), a.weights_shape, g, "conv_backward_weights");
  check_shape(a.diff_dst.shape(), act_shape(d.n, d.o, d.out, g.channels_first), "conv_backward_weights", "diff_dst");
  Tensor diff_weights = Tensor::empty(a.weights_shape, dtype, a.src.device());
  Tensors out{diff_weights};
  if (a.with_bias) {
    // The bias gradient sums diff_dst over every axis but the channels'.
    std::vector<int64_t> axes;
    for (int64_t i = 0; i < a.diff_dst.rank(); ++i) {
      if (i != (g.channels_first ? 1 : a.diff_dst.rank() - 1)) axes.push_back(i);
    }
    out.push_back(reduce({ReduceOp::sum, a.diff_dst, axes, false}));
  }
  if (diff_weights.size() == 0) return out;
  if (a.diff_dst.size() == 0 || a.src.size() == 0) {
    KERAS_CUDA_CHECK(cudaMemsetAsync(diff_weights.mutable_data(), 0, diff_weights.nbytes(), ctx.stream));
    return out;
  }
  Tensor src = a.src;
  if (asymmetric(d)) {
    src = Tensor::empty(act_shape(d.n, d.c, padded_in(d), g.channels_first), dtype, a.src.device());
    window_copy(a.src.data(), a.src.shape(), src.mutable_data(), src.shape(), pad_offset(d, g.channels_first, 1),
                dtype_size(dtype), ctx.stream);
  }
  const Tensor filter = Tensor::empty(a.weights_shape, dtype, a.src.device());
  {
    std::lock_guard lock(plan_mutex());
    Plan& p = plan_for(d, g, dtype, ctx.device);
    if (p.bwd_filter < 0) {
      cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
      int returned = 0;
      KERAS_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
          ctx.handle, p.x, p.y, p.conv, p.w, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &returned, perf));
      pick(perf, returned, "conv_backward_weights", p.bwd_filter, p.bwd_filter_ws);
    }
    void* work = p.bwd_filter_ws > 0 ? workspace(ctx.device, p.bwd_filter_ws) : nullptr;
    KERAS_CUDNN_CHECK(cudnnConvolutionBackwardFilter(ctx.handle, one(dtype), p.x, src.data(), p.y, a.diff_dst.data(),
                                                     p.conv, static_cast<cudnnConvolutionBwdFilterAlgo_t>(p.bwd_filter),
                                                     work, p.bwd_filter_ws, zero(dtype), p.w, filter.mutable_data()));
  }
  int64_t kvol = 1;
  for (int64_t k : d.k) kvol *= k;
  const int64_t cg = d.c / d.groups;
  // Back from the filter layout to Keras's (*kernel, C / groups, O).
  if (g.channels_first) {
    permute3(filter.data(), diff_weights.mutable_data(), dtype_size(dtype), {d.o, cg, kvol}, {2, 1, 0}, ctx.stream);
  } else {
    permute3(filter.data(), diff_weights.mutable_data(), dtype_size(dtype), {d.o, kvol, cg}, {1, 2, 0}, ctx.stream);
  }
  return out;
}

// The public entries: a channels_last convolution cuDNN has no algorithm for runs channels_first.
Tensor conv_forward(const ConvForwardArgs& a) {
  try {
    return conv_forward_impl(a, false);
  } catch (const NoAlgorithm&) {
    if (a.geometry.channels_first) throw;
    return conv_forward_impl(a, true);
  }
}

Tensor conv_backward_data(const ConvBackwardDataArgs& a) {
  try {
    return conv_backward_data_impl(a, false);
  } catch (const NoAlgorithm&) {
    if (a.geometry.channels_first) throw;
    return conv_backward_data_impl(a, true);
  }
}

Tensors conv_backward_weights(const ConvBackwardWeightsArgs& a) {
  try {
    return conv_backward_weights_impl(a, false);
  } catch (const NoAlgorithm&) {
    if (a.geometry.channels_first) throw;
    return conv_backward_weights_impl(a, true);
  }
}

}  // namespace keras::kernels::cuda
