#pragma once
// Kernel calls captured by value for replay (kernels/dispatch.cpp's KERAS_TRACE). A kernel's argument
// structs hold references to the caller's tensors; Owned<T> keeps copies of those tensors (the same
// handles, so replay's rebinding reaches them) and an argument struct that refers to its copies.
#include <keras/core/graph/graph.h>
#include <keras/core/graph/trace.h>
#include <keras/kernels/cast.h>
#include <keras/kernels/conv.h>
#include <keras/kernels/copy.h>
#include <keras/kernels/elementwise.h>
#include <keras/kernels/matmul.h>
#include <keras/kernels/norm.h>
#include <keras/kernels/optimizer.h>
#include <keras/kernels/pool.h>
#include <keras/kernels/random.h>
#include <keras/kernels/reduce.h>
#include <keras/kernels/softmax.h>

#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace keras::graph::detail {

std::string attr(double v);
std::string attr(const std::vector<int64_t>& v);
std::string attr(const std::vector<std::pair<int64_t, int64_t>>& v);
inline std::string attr(const Shape& s) { return s.str(); }
inline std::string attr(DType d) { return std::string(dtype_name(d)); }
inline std::string attr(bool b) { return b ? "true" : "false"; }
inline std::string attr(int64_t v) { return std::to_string(v); }
std::string attr(kernels::UnaryOp op);
std::string attr(kernels::BinaryOp op);
std::string attr(kernels::ReduceOp op);
std::string attr(const kernels::ConvGeometry& g);
std::string attr(const kernels::PoolWindow& w);

// A plain argument (DType, int64_t, Shape, ...): a copy. `complete`: attrs() names all of it.
template <class T>
struct Owned {
  static constexpr bool complete = true;
  T value;
  explicit Owned(const T& v) : value(v) {}
  const T& get() const { return value; }
  void collect(Tensors&) const {}
  std::string attrs() const {
    if constexpr (requires { attr(value); }) {
      return attr(value);
    } else {
      return "?";
    }
  }
};

template <>
struct Owned<Tensor> {
  static constexpr bool complete = true;
  Tensor value;
  explicit Owned(const Tensor& v) : value(v) {}
  const Tensor& get() const { return value; }
  void collect(Tensors& out) const { out.push_back(value); }
  std::string attrs() const { return {}; }
};

template <>
struct Owned<Tensors> {
  static constexpr bool complete = true;
  Tensors value;
  explicit Owned(const Tensors& v) : value(v) {}
  const Tensors& get() const { return value; }
  void collect(Tensors& out) const { out.insert(out.end(), value.begin(), value.end()); }
  std::string attrs() const { return {}; }
};

// The argument structs. Each static_assert trips when its struct gains a member: add it here too,
// or replay would run with that member's default.
template <>
struct Owned<kernels::UnaryArgs> {
  static_assert(sizeof(kernels::UnaryArgs) == 24, "UnaryArgs changed: update Owned<UnaryArgs>");
  static constexpr bool complete = true;
  Tensor src;
  kernels::UnaryArgs args;
  explicit Owned(const kernels::UnaryArgs& a) : src(a.src), args{a.op, src, a.alpha} {}
  const kernels::UnaryArgs& get() const { return args; }
  void collect(Tensors& out) const { out.push_back(src); }
  std::string attrs() const { return attr(args.op) + (args.alpha != 0 ? " alpha=" + attr(args.alpha) : ""); }
};

template <>
struct Owned<kernels::BinaryArgs> {
  static_assert(sizeof(kernels::BinaryArgs) == 24, "BinaryArgs changed: update Owned<BinaryArgs>");
  static constexpr bool complete = true;
  Tensor src0, src1;
  kernels::BinaryArgs args;
  explicit Owned(const kernels::BinaryArgs& a) : src0(a.src0), src1(a.src1), args{a.op, src0, src1} {}
  const kernels::BinaryArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {src0, src1}); }
  std::string attrs() const { return attr(args.op); }
};

template <>
struct Owned<kernels::StridedCopyArgs> {
  static_assert(sizeof(kernels::StridedCopyArgs) == 64, "StridedCopyArgs changed: update Owned<StridedCopyArgs>");
  static constexpr bool complete = true;
  Tensor src;
  kernels::StridedCopyArgs args;
  explicit Owned(const kernels::StridedCopyArgs& a) : src(a.src), args{src, a.shape, a.strides, a.offset} {}
  const kernels::StridedCopyArgs& get() const { return args; }
  void collect(Tensors& out) const { out.push_back(src); }
  std::string attrs() const {
    return "shape=" + attr(args.shape) + " strides=" + attr(args.strides) + " offset=" + attr(args.offset);
  }
};

template <>
struct Owned<kernels::StridedAssignArgs> {
  static_assert(sizeof(kernels::StridedAssignArgs) == 72, "StridedAssignArgs changed: update Owned<StridedAssignArgs>");
  static constexpr bool complete = true;
  Tensor src;
  kernels::StridedAssignArgs args;
  explicit Owned(const kernels::StridedAssignArgs& a)
      : src(a.src), args{src, a.shape, a.strides, a.offset, a.value} {}
  const kernels::StridedAssignArgs& get() const { return args; }
  void collect(Tensors& out) const { out.push_back(src); }
  std::string attrs() const {
    return "shape=" + attr(args.shape) + " strides=" + attr(args.strides) + " offset=" + attr(args.offset) +
           " value=" + attr(args.value);
  }
};

template <>
struct Owned<kernels::ReduceArgs> {
  static_assert(sizeof(kernels::ReduceArgs) == 48, "ReduceArgs changed: update Owned<ReduceArgs>");
  static constexpr bool complete = true;
  Tensor src;
  kernels::ReduceArgs args;
  explicit Owned(const kernels::ReduceArgs& a) : src(a.src), args{a.op, src, a.axes, a.keepdims} {}
  const kernels::ReduceArgs& get() const { return args; }
  void collect(Tensors& out) const { out.push_back(src); }
  std::string attrs() const { return attr(args.op) + " axes=" + attr(args.axes) + " keepdims=" + attr(args.keepdims); }
};

template <>
struct Owned<kernels::MatmulArgs> {
  static_assert(sizeof(kernels::MatmulArgs) == 40, "MatmulArgs changed: update Owned<MatmulArgs>");
  static constexpr bool complete = true;
  Tensor src, weights;
  kernels::MatmulArgs args;
  explicit Owned(const kernels::MatmulArgs& a)
      : src(a.src), weights(a.weights), args{src, weights, a.bias, a.transpose_src, a.transpose_weights, a.relu} {}
  const kernels::MatmulArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {src, weights, args.bias}); }
  std::string attrs() const {
    return "transpose_src=" + attr(args.transpose_src) + " transpose_weights=" + attr(args.transpose_weights) +
           " relu=" + attr(args.relu);
  }
};

template <>
struct Owned<kernels::ConvForwardArgs> {
  static_assert(sizeof(kernels::ConvForwardArgs) == 48, "ConvForwardArgs changed: update Owned<ConvForwardArgs>");
  static constexpr bool complete = false;
  Tensor src, weights;
  kernels::ConvGeometry geometry;
  kernels::ConvForwardArgs args;
  explicit Owned(const kernels::ConvForwardArgs& a)
      : src(a.src), weights(a.weights), geometry(a.geometry), args{src, weights, geometry, a.bias, a.activation} {}
  const kernels::ConvForwardArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {src, weights, args.bias}); }
  std::string attrs() const {
    return attr(geometry) + (args.activation == kernels::ConvActivation::relu ? " relu" : "");
  }
};

template <>
struct Owned<kernels::ConvBackwardDataArgs> {
  static_assert(sizeof(kernels::ConvBackwardDataArgs) == 32, "ConvBackwardDataArgs changed: update its Owned");
  static constexpr bool complete = false;
  Tensor diff_dst, weights;
  Shape src_shape;
  kernels::ConvGeometry geometry;
  kernels::ConvBackwardDataArgs args;
  explicit Owned(const kernels::ConvBackwardDataArgs& a)
      : diff_dst(a.diff_dst), weights(a.weights), src_shape(a.src_shape), geometry(a.geometry),
        args{diff_dst, weights, src_shape, geometry} {}
  const kernels::ConvBackwardDataArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {diff_dst, weights}); }
  std::string attrs() const { return attr(geometry); }
};

template <>
struct Owned<kernels::ConvBackwardWeightsArgs> {
  static_assert(sizeof(kernels::ConvBackwardWeightsArgs) == 40, "ConvBackwardWeightsArgs changed: update its Owned");
  static constexpr bool complete = false;
  Tensor src, diff_dst;
  Shape weights_shape;
  kernels::ConvGeometry geometry;
  kernels::ConvBackwardWeightsArgs args;
  explicit Owned(const kernels::ConvBackwardWeightsArgs& a)
      : src(a.src), diff_dst(a.diff_dst), weights_shape(a.weights_shape), geometry(a.geometry),
        args{src, diff_dst, weights_shape, geometry, a.with_bias} {}
  const kernels::ConvBackwardWeightsArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {src, diff_dst}); }
  std::string attrs() const { return attr(geometry) + " with_bias=" + attr(args.with_bias); }
};

template <>
struct Owned<kernels::PoolForwardArgs> {
  static_assert(sizeof(kernels::PoolForwardArgs) == 32, "PoolForwardArgs changed: update its Owned");
  static constexpr bool complete = false;
  Tensor src;
  kernels::PoolWindow window;
  kernels::PoolForwardArgs args;
  explicit Owned(const kernels::PoolForwardArgs& a)
      : src(a.src), window(a.window), args{a.algorithm, src, window, a.training} {}
  const kernels::PoolForwardArgs& get() const { return args; }
  void collect(Tensors& out) const { out.push_back(src); }
  std::string attrs() const {
    return std::string(args.algorithm == kernels::PoolAlgorithm::max ? "max " : "avg ") + attr(window);
  }
};

template <>
struct Owned<kernels::PoolBackwardArgs> {
  static_assert(sizeof(kernels::PoolBackwardArgs) == 64, "PoolBackwardArgs changed: update its Owned");
  static constexpr bool complete = false;
  Tensor diff_dst;
  Shape src_shape;
  kernels::PoolWindow window;
  kernels::PoolBackwardArgs args;
  explicit Owned(const kernels::PoolBackwardArgs& a)
      : diff_dst(a.diff_dst), src_shape(a.src_shape), window(a.window),
        args{a.algorithm, diff_dst, src_shape, window, a.src, a.workspace} {}
  const kernels::PoolBackwardArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {diff_dst, args.src, args.workspace}); }
  std::string attrs() const {
    return std::string(args.algorithm == kernels::PoolAlgorithm::max ? "max " : "avg ") + attr(window);
  }
};

template <>
struct Owned<kernels::BatchNormForwardArgs> {
  static_assert(sizeof(kernels::BatchNormForwardArgs) == 88, "BatchNormForwardArgs changed: update its Owned");
  static constexpr bool complete = false;
  Tensor src;
  kernels::BatchNormForwardArgs args;
  explicit Owned(const kernels::BatchNormForwardArgs& a)
      : src(a.src), args{src, a.axis, a.epsilon, a.scale, a.shift, a.mean, a.variance} {}
  const kernels::BatchNormForwardArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {src, args.scale, args.shift, args.mean, args.variance}); }
  std::string attrs() const { return "axis=" + attr(args.axis) + " epsilon=" + attr(args.epsilon); }
};

template <>
struct Owned<kernels::BatchNormBackwardArgs> {
  static_assert(sizeof(kernels::BatchNormBackwardArgs) == 72, "BatchNormBackwardArgs changed: update its Owned");
  static constexpr bool complete = false;
  Tensor src, diff_dst, mean, variance;
  kernels::BatchNormBackwardArgs args;
  explicit Owned(const kernels::BatchNormBackwardArgs& a)
      : src(a.src), diff_dst(a.diff_dst), mean(a.mean), variance(a.variance),
        args{src, diff_dst, mean, variance, a.axis, a.epsilon, a.scale, a.use_shift} {}
  const kernels::BatchNormBackwardArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {src, diff_dst, mean, variance, args.scale}); }
  std::string attrs() const { return "axis=" + attr(args.axis) + " epsilon=" + attr(args.epsilon); }
};

template <>
struct Owned<kernels::LayerNormForwardArgs> {
  static_assert(sizeof(kernels::LayerNormForwardArgs) == 56, "LayerNormForwardArgs changed: update its Owned");
  static constexpr bool complete = false;
  Tensor src;
  kernels::LayerNormForwardArgs args;
  explicit Owned(const kernels::LayerNormForwardArgs& a) : src(a.src), args{src, a.cols, a.epsilon, a.scale, a.shift} {}
  const kernels::LayerNormForwardArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {src, args.scale, args.shift}); }
  std::string attrs() const { return "cols=" + attr(args.cols) + " epsilon=" + attr(args.epsilon); }
};

template <>
struct Owned<kernels::LayerNormBackwardArgs> {
  static_assert(sizeof(kernels::LayerNormBackwardArgs) == 96, "LayerNormBackwardArgs changed: update its Owned");
  static constexpr bool complete = false;
  Tensor src, diff_dst, mean, variance;
  kernels::LayerNormBackwardArgs args;
  explicit Owned(const kernels::LayerNormBackwardArgs& a)
      : src(a.src), diff_dst(a.diff_dst), mean(a.mean), variance(a.variance),
        args{src, diff_dst, mean, variance, a.cols, a.epsilon, a.scale, a.use_shift, a.shift_shape} {}
  const kernels::LayerNormBackwardArgs& get() const { return args; }
  void collect(Tensors& out) const { out.insert(out.end(), {src, diff_dst, mean, variance, args.scale}); }
  std::string attrs() const { return "cols=" + attr(args.cols) + " epsilon=" + attr(args.epsilon); }
};

template <>
struct Owned<kernels::RandomArgs> {
  static constexpr bool complete = false;
  kernels::RandomArgs args;
  explicit Owned(const kernels::RandomArgs& a) : args(a) {}
  const kernels::RandomArgs& get() const { return args; }
  void collect(Tensors&) const {}
  std::string attrs() const { return "shape=" + attr(args.shape) + " seed=" + std::to_string(args.seed); }
};

// A kernel's results as a list of tensors (undefined where a result is absent).
inline Tensors flatten(const Tensor& t) { return {t}; }
inline Tensors flatten(const Tensors& t) { return t; }
inline Tensors flatten(const kernels::PoolForwardResult& r) { return {r.dst, r.workspace}; }
inline Tensors flatten(const kernels::BatchNormForwardResult& r) { return {r.dst, r.mean, r.variance}; }
inline Tensors flatten(const kernels::BatchNormBackwardResult& r) { return {r.diff_src, r.diff_scale, r.diff_shift}; }
inline Tensors flatten(const kernels::LayerNormForwardResult& r) { return {r.dst, r.mean, r.variance}; }
inline Tensors flatten(const kernels::LayerNormBackwardResult& r) { return {r.diff_src, r.diff_scale, r.diff_shift}; }

[[noreturn]] void refuse_in_place(const char* kernel);

/// The dispatch's trace hook: runs the kernel (through `call`, which routes it) and records it.
template <class F, class... A>
auto record(const char* name, F call, const A&... args) -> decltype(call(args...)) {
  using R = decltype(call(args...));
  if constexpr (std::is_void_v<R>) {
    // In-place updates would replay with trace-time hyperparameters (learning rate, step); optimizers
    // run their whole step as one host node instead.
    refuse_in_place(name);
  } else {
    auto owned = std::make_shared<const std::tuple<Owned<A>...>>(args...);
    R result = [&] {
      Suspend suspend;
      return call(args...);
    }();
    Tensors inputs;
    std::string attrs;
    std::apply(
        [&](const auto&... o) {
          (o.collect(inputs), ...);
          auto add = [&](const std::string& a) {
            if (!a.empty()) attrs += (attrs.empty() ? "" : " ") + a;
          };
          (add(o.attrs()), ...);
        },
        *owned);
    constexpr bool complete = (Owned<A>::complete && ...);
    std::string key = complete ? std::string(name) + "|" + attrs : std::string();
    record_kernel(name, std::move(attrs), std::move(key), inputs, flatten(result),
                  [call, owned]() { return flatten(std::apply([&](const auto&... o) { return call(o.get()...); }, *owned)); },
                  owned);
    return result;
  }
}

/// A kernel node's captured arguments when it is a call of `kernel`, the name record() was given
/// for a kernel whose parameters are `A...`; else nullptr (a node a pass rewrote has none).
template <class... A>
const std::tuple<Owned<A>...>* kernel_args(const Node& n, const char* kernel) {
  if (n.removed || n.kind != NodeKind::kernel || n.op != kernel || !n.args) return nullptr;
  return static_cast<const std::tuple<Owned<A>...>*>(n.args.get());
}

}  // namespace keras::graph::detail
