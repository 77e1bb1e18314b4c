// Routes each kernel to the backend of its operands' device. The CUDA backend plugs in here.
#include <keras/core/graph/capture.h>
#include <keras/kernels/cpu/cpu_kernels.h>
#ifdef KERAS_WITH_CUDA
#include <keras/kernels/cuda/cuda_kernels.h>
#endif

namespace keras::kernels {

namespace {
[[noreturn]] void no_backend(const Device& device, const char* kernel) {
  check_device_available(device);
  throw NotImplementedError(std::string("Kernel '") + kernel + "' has no implementation on " + device.str());
}
}  // namespace

// While keras::function traces, a kernel call runs and becomes a graph node (core/graph/capture.h).
#define KERAS_TRACE(kernel, ...)                                                                    \
  if (graph::detail::tracing()) {                                                                   \
    return graph::detail::record(                                                                   \
        #kernel, [](const auto&... a) { return ::keras::kernels::kernel(a...); }, __VA_ARGS__);    \
  }

#define KERAS_ROUTE(device, kernel, ...)                    \
  do {                                                      \
    KERAS_TRACE(kernel, __VA_ARGS__)                        \
    if ((device).is_cpu()) return cpu::kernel(__VA_ARGS__); \
    no_backend((device), #kernel);                          \
  } while (false)

// For kernels with a CUDA implementation (kernels/cuda/cuda_kernels.h): a line moves from
// KERAS_ROUTE to KERAS_ROUTE_CUDA when its kernel gains one.
#ifdef KERAS_WITH_CUDA
#define KERAS_ROUTE_CUDA(device, kernel, ...)                                                  \
  do {                                                                                         \
    KERAS_TRACE(kernel, __VA_ARGS__)                                                           \
    if ((device).is_cpu()) return cpu::kernel(__VA_ARGS__);                                    \
    if ((device).type == Device::Type::cuda) return cuda::kernel(__VA_ARGS__);                 \
    no_backend((device), #kernel);                                                             \
  } while (false)
#else
#define KERAS_ROUTE_CUDA KERAS_ROUTE
#endif

Tensor cast(const Tensor& src, DType dtype) { KERAS_ROUTE(src.device(), cast, src, dtype); }
Tensor unary(const UnaryArgs& args) { KERAS_ROUTE(args.src.device(), unary, args); }
Tensor binary(const BinaryArgs& args) { KERAS_ROUTE(args.src0.device(), binary, args); }
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y) { KERAS_ROUTE(x.device(), where, cond, x, y); }
Tensor strided_copy(const StridedCopyArgs& args) { KERAS_ROUTE(args.src.device(), strided_copy, args); }
Tensor strided_assign(const StridedAssignArgs& args) { KERAS_ROUTE(args.src.device(), strided_assign, args); }
Tensor concatenate(const Tensors& srcs, int64_t axis) { KERAS_ROUTE(srcs.at(0).device(), concatenate, srcs, axis); }
Tensor pad_constant(const Tensor& src, const std::vector<std::pair<int64_t, int64_t>>& pads, double value) {
  KERAS_ROUTE(src.device(), pad_constant, src, pads, value);
}
Tensor take(const Tensor& src, const Tensor& indices, int64_t axis) { KERAS_ROUTE(src.device(), take, src, indices, axis); }
Tensor scatter_add(const Tensor& updates, const Tensor& indices, int64_t axis, const Shape& shape) {
  KERAS_ROUTE(updates.device(), scatter_add, updates, indices, axis, shape);
}
Tensor reduce(const ReduceArgs& args) { KERAS_ROUTE(args.src.device(), reduce, args); }
Tensor arg_reduce(const Tensor& src, int64_t axis, bool keepdims, bool is_max) {
  KERAS_ROUTE(src.device(), arg_reduce, src, axis, keepdims, is_max);
}
Tensor matmul(const MatmulArgs& args) { KERAS_ROUTE(args.src.device(), matmul, args); }
Tensor softmax(const Tensor& src, int64_t axis, bool log) { KERAS_ROUTE(src.device(), softmax, src, axis, log); }
Tensor random(const RandomArgs& args) { KERAS_ROUTE(args.device, random, args); }
Tensor conv_forward(const ConvForwardArgs& args) { KERAS_ROUTE(args.src.device(), conv_forward, args); }
Tensor conv_backward_data(const ConvBackwardDataArgs& args) { KERAS_ROUTE(args.diff_dst.device(), conv_backward_data, args); }
Tensors conv_backward_weights(const ConvBackwardWeightsArgs& args) {
  KERAS_ROUTE(args.src.device(), conv_backward_weights, args);
}
PoolForwardResult pool_forward(const PoolForwardArgs& args) { KERAS_ROUTE(args.src.device(), pool_forward, args); }
Tensor pool_backward(const PoolBackwardArgs& args) { KERAS_ROUTE(args.diff_dst.device(), pool_backward, args); }
BatchNormForwardResult batch_norm_forward(const BatchNormForwardArgs& args) {
  KERAS_ROUTE(args.src.device(), batch_norm_forward, args);
}
BatchNormBackwardResult batch_norm_backward(const BatchNormBackwardArgs& args) {
  KERAS_ROUTE(args.src.device(), batch_norm_backward, args);
}
LayerNormForwardResult layer_norm_forward(const LayerNormForwardArgs& args) {
  KERAS_ROUTE(args.src.device(), layer_norm_forward, args);
}
LayerNormBackwardResult layer_norm_backward(const LayerNormBackwardArgs& args) {
  KERAS_ROUTE(args.src.device(), layer_norm_backward, args);
}

Tensor relu_backward(const Tensor& diff_dst, const Tensor& dst) {
  KERAS_ROUTE(dst.device(), relu_backward, diff_dst, dst);
}
void adam_update(const AdamUpdateArgs& args) { KERAS_ROUTE(args.variable.device(), adam_update, args); }
void sgd_update(const SGDUpdateArgs& args) { KERAS_ROUTE(args.variable.device(), sgd_update, args); }
void rmsprop_update(const RMSpropUpdateArgs& args) { KERAS_ROUTE(args.variable.device(), rmsprop_update, args); }
void weight_decay_update(const Tensor& variable, double weight_decay, double learning_rate) {
  KERAS_ROUTE(variable.device(), weight_decay_update, variable, weight_decay, learning_rate);
}

#undef KERAS_ROUTE
#undef KERAS_ROUTE_CUDA
#undef KERAS_TRACE

bool fused_update_supported(DType dtype, Device device) {
  return device.is_cpu() && (dtype == DType::float32 || dtype == DType::float64);
}

bool is_comparison(BinaryOp op) { return op >= BinaryOp::equal; }

}  // namespace keras::kernels
