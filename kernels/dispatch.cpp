// Routes each kernel to the backend of its operands' device. The CUDA backend plugs in here.
#include <keras/core/graph/capture.h>
#include <keras/kernels/cpu/cpu_kernels.h>
#ifdef KERAS_WITH_CUDA
#include <keras/kernels/cuda/cuda_kernels.h>
#endif

#include <initializer_list>
#include <optional>
#include <span>

namespace keras::kernels {

namespace {
[[noreturn]] void no_backend(const Device& device, const char* kernel) {
  check_device_available(device);
  throw NotImplementedError(std::string("Kernel '") + kernel + "' has no implementation on " + device.str());
}

// The device the operands of one kernel share. A rank-0 host tensor (a number, as metrics, losses and
// optimizers make them) joins the others on their device, as PyTorch lets a 0-dim CPU tensor join
// CUDA ones; any other mix is an error naming the devices.
Device common_device(const char* kernel, std::span<const Tensor* const> operands) {
  std::optional<Device> device;
  for (const Tensor* t : operands) {
    if (!t->defined() || (t->device().is_cpu() && t->rank() == 0)) continue;
    if (!device) {
      device = t->device();
    } else if (*device != t->device()) {
      throw ValueError(std::string(kernel) + ": operands are on different devices, " + device->str() + " and " +
                       t->device().str() + "; move them to one device with .to(device) first");
    }
  }
  return device.value_or(Device::cpu());
}
Device common_device(const char* kernel, std::initializer_list<const Tensor*> operands) {
  return common_device(kernel, std::span<const Tensor* const>(operands.begin(), operands.size()));
}

Tensor on_device(const Tensor& t, Device device) { return t.device() == device ? t : t.to(device); }

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

Tensor cast(const Tensor& src, DType dtype) { KERAS_ROUTE_CUDA(src.device(), cast, src, dtype); }
Tensor unary(const UnaryArgs& args) { KERAS_ROUTE_CUDA(args.src.device(), unary, args); }
Tensor binary(const BinaryArgs& args) {
  const Device device = common_device("binary", {&args.src0, &args.src1});
  if (args.src0.device() != device || args.src1.device() != device) {
    return binary({args.op, on_device(args.src0, device), on_device(args.src1, device)});
  }
  KERAS_ROUTE_CUDA(device, binary, args);
}
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y) {
  const Device device = common_device("where", {&cond, &x, &y});
  if (cond.device() != device || x.device() != device || y.device() != device) {
    return where(on_device(cond, device), on_device(x, device), on_device(y, device));
  }
  KERAS_ROUTE_CUDA(device, where, cond, x, y);
}
Tensor strided_copy(const StridedCopyArgs& args) { KERAS_ROUTE_CUDA(args.src.device(), strided_copy, args); }
Tensor strided_assign(const StridedAssignArgs& args) { KERAS_ROUTE_CUDA(args.src.device(), strided_assign, args); }
Tensor concatenate(const Tensors& srcs, int64_t axis) {
  std::vector<const Tensor*> operands;
  for (const Tensor& s : srcs) operands.push_back(&s);
  const Device device = common_device("concatenate", operands);
  for (const Tensor& s : srcs) {
    if (s.device() != device) {
      Tensors moved;
      for (const Tensor& t : srcs) moved.push_back(on_device(t, device));
      return concatenate(moved, axis);
    }
  }
  KERAS_ROUTE_CUDA(device, concatenate, srcs, axis);
}
Tensor pad_constant(const Tensor& src, const std::vector<std::pair<int64_t, int64_t>>& pads, double value) {
  KERAS_ROUTE_CUDA(src.device(), pad_constant, src, pads, value);
}
// The CUDA kernels read indices from any device (they check them on the host); the CPU's from the host.
Tensor take(const Tensor& src, const Tensor& indices, int64_t axis) {
  if (src.device().is_cpu() && !indices.device().is_cpu()) return take(src, indices.to(Device::cpu()), axis);
  KERAS_ROUTE_CUDA(src.device(), take, src, indices, axis);
}
Tensor scatter_add(const Tensor& updates, const Tensor& indices, int64_t axis, const Shape& shape) {
  if (updates.device().is_cpu() && !indices.device().is_cpu()) {
    return scatter_add(updates, indices.to(Device::cpu()), axis, shape);
  }
  KERAS_ROUTE_CUDA(updates.device(), scatter_add, updates, indices, axis, shape);
}
Tensor reduce(const ReduceArgs& args) { KERAS_ROUTE_CUDA(args.src.device(), reduce, args); }
Tensor arg_reduce(const Tensor& src, int64_t axis, bool keepdims, bool is_max) {
  KERAS_ROUTE_CUDA(src.device(), arg_reduce, src, axis, keepdims, is_max);
}
Tensor matmul(const MatmulArgs& args) { KERAS_ROUTE_CUDA(args.src.device(), matmul, args); }
Tensor softmax(const Tensor& src, int64_t axis, bool log) { KERAS_ROUTE_CUDA(src.device(), softmax, src, axis, log); }
Tensor random(const RandomArgs& args) { KERAS_ROUTE_CUDA(args.device, random, args); }
Tensor conv_forward(const ConvForwardArgs& args) { KERAS_ROUTE_CUDA(args.src.device(), conv_forward, args); }
Tensor conv_backward_data(const ConvBackwardDataArgs& args) { KERAS_ROUTE_CUDA(args.diff_dst.device(), conv_backward_data, args); }
Tensors conv_backward_weights(const ConvBackwardWeightsArgs& args) {
  KERAS_ROUTE_CUDA(args.src.device(), conv_backward_weights, args);
}
PoolForwardResult pool_forward(const PoolForwardArgs& args) { KERAS_ROUTE_CUDA(args.src.device(), pool_forward, args); }
Tensor pool_backward(const PoolBackwardArgs& args) { KERAS_ROUTE_CUDA(args.diff_dst.device(), pool_backward, args); }
BatchNormForwardResult batch_norm_forward(const BatchNormForwardArgs& args) {
  KERAS_ROUTE_CUDA(args.src.device(), batch_norm_forward, args);
}
BatchNormBackwardResult batch_norm_backward(const BatchNormBackwardArgs& args) {
  KERAS_ROUTE_CUDA(args.src.device(), batch_norm_backward, args);
}
LayerNormForwardResult layer_norm_forward(const LayerNormForwardArgs& args) {
  KERAS_ROUTE_CUDA(args.src.device(), layer_norm_forward, args);
}
LayerNormBackwardResult layer_norm_backward(const LayerNormBackwardArgs& args) {
  KERAS_ROUTE_CUDA(args.src.device(), layer_norm_backward, args);
}

Tensor relu_backward(const Tensor& diff_dst, const Tensor& dst) {
  const Device device = common_device("relu_backward", {&diff_dst, &dst});
  if (diff_dst.device() != device || dst.device() != device) {
    return relu_backward(on_device(diff_dst, device), on_device(dst, device));
  }
  KERAS_ROUTE_CUDA(device, relu_backward, diff_dst, dst);
}
void adam_update(const AdamUpdateArgs& args) { KERAS_ROUTE_CUDA(args.variable.device(), adam_update, args); }
void sgd_update(const SGDUpdateArgs& args) { KERAS_ROUTE_CUDA(args.variable.device(), sgd_update, args); }
void rmsprop_update(const RMSpropUpdateArgs& args) { KERAS_ROUTE_CUDA(args.variable.device(), rmsprop_update, args); }
void weight_decay_update(const Tensor& variable, double weight_decay, double learning_rate) {
  KERAS_ROUTE_CUDA(variable.device(), weight_decay_update, variable, weight_decay, learning_rate);
}
Tensor softmax_backward(const Tensor& y, const Tensor& dy, int64_t axis) {
  KERAS_ROUTE(y.device(), softmax_backward, y, dy, axis);
}
Tensor sparse_crossentropy(const Tensor& output, const Tensor& labels, bool from_logits, double epsilon) {
  KERAS_ROUTE(output.device(), sparse_crossentropy, output, labels, from_logits, epsilon);
}
Tensor sparse_crossentropy_backward(const Tensor& output, const Tensor& labels, const Tensor& dy, bool from_logits,
                                    double epsilon) {
  KERAS_ROUTE(output.device(), sparse_crossentropy_backward, output, labels, dy, from_logits, epsilon);
}

#undef KERAS_ROUTE
#undef KERAS_ROUTE_CUDA
#undef KERAS_TRACE

bool fused_update_supported(DType dtype, Device device) {
  return (device.is_cpu() || device.type == Device::Type::cuda) && (dtype == DType::float32 || dtype == DType::float64);
}

bool is_comparison(BinaryOp op) { return op >= BinaryOp::equal; }

}  // namespace keras::kernels
