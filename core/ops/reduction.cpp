#include <keras/core/ops/reduction.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/detail.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/manipulation.h>
#include <keras/kernels/reduce.h>

#include <algorithm>

namespace keras::ops {

std::vector<int64_t> Axes::resolve(int64_t rank, std::string_view op) const {
  std::vector<int64_t> out;
  if (!axes_) {
    for (int64_t i = 0; i < rank; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : *axes_) out.push_back(normalize_axis(a, rank, op));
  std::sort(out.begin(), out.end());
  const auto repeated = std::adjacent_find(out.begin(), out.end());
  if (repeated != out.end()) {
    std::string given;
    for (int64_t a : *axes_) given += (given.empty() ? "" : ", ") + std::to_string(a);
    throw ValueError(std::string(op) + ": axis " + std::to_string(*repeated) + " is repeated in axis (" + given +
                     ") for a tensor of rank " + std::to_string(rank));
  }
  return out;
}

namespace {

using kernels::ReduceOp;

// The shape x reduces to with keepdims, so a gradient can broadcast back over x.
Shape kept_shape(const Shape& x, const std::vector<int64_t>& axes) {
  std::vector<int64_t> dims = x.dims();
  for (int64_t a : axes) dims[static_cast<size_t>(a)] = 1;
  return Shape(dims);
}

int64_t count_of(const Shape& x, const std::vector<int64_t>& axes) {
  int64_t n = 1;
  for (int64_t a : axes) n *= x.dims()[static_cast<size_t>(a)];
  return n;
}

Tensor reduce_kernel(ReduceOp op, const Tensor& x, const std::vector<int64_t>& axes, bool keepdims) {
  return kernels::reduce({op, x, axes, keepdims});
}

// Sums and products of booleans count in int32, as in JAX (NumPy: the platform integer).
Tensor count_bools(const Tensor& x) { return x.dtype() == DType::bool_ ? cast(x, DType::int32) : x; }

}  // namespace

Tensor sum(const Tensor& x, Axes axis, bool keepdims) {
  detail::require_defined(x, "sum");
  const auto axes = axis.resolve(x.rank(), "sum");
  Tensor y = reduce_kernel(ReduceOp::sum, count_bools(x), axes, keepdims);
  autograd::record(y, {x}, [shape = x.shape(), kept = kept_shape(x.shape(), axes)](const Tensors& dy) {
    return Tensors{broadcast_to(reshape(dy[0], kept), shape)};
  });
  return y;
}

Tensor mean(const Tensor& x, Axes axis, bool keepdims) {
  detail::require_defined(x, "mean");
  const Tensor xf = detail::to_floating(x);
  const auto axes = axis.resolve(x.rank(), "mean");
  Tensor y = reduce_kernel(ReduceOp::mean, xf, axes, keepdims);
  const double n = static_cast<double>(std::max<int64_t>(count_of(x.shape(), axes), 1));
  autograd::record(y, {xf}, [shape = x.shape(), kept = kept_shape(x.shape(), axes), n](const Tensors& dy) {
    return Tensors{broadcast_to(reshape(dy[0] / n, kept), shape)};
  });
  return y;
}

namespace {
// max/min pass the gradient to the extreme elements, split evenly among ties (as TensorFlow).
Tensor extreme(ReduceOp op, const Tensor& x, const Axes& axis, bool keepdims, const char* name) {
  detail::require_defined(x, name);
  const auto axes = axis.resolve(x.rank(), name);
  for (int64_t a : axes) {
    if (x.shape().dims()[static_cast<size_t>(a)] == 0) {
      throw ValueError(std::string(name) + ": cannot reduce an empty axis of shape " + x.shape().str() +
                       " (the operation has no identity)");
    }
  }
  Tensor y = reduce_kernel(op, x, axes, keepdims);
  autograd::record(y, {x}, [x, y, axes](const Tensors& dy) {
    const Shape kept = kept_shape(x.shape(), axes);
    const Tensor mask = cast(equal(x, reshape(y, kept)), x.dtype());
    const Tensor ties = sum(mask, Axes(axes), true);
    return Tensors{multiply(mask, reshape(dy[0], kept) / ties)};
  });
  return y;
}
}  // namespace

Tensor max(const Tensor& x, Axes axis, bool keepdims) { return extreme(ReduceOp::max, x, axis, keepdims, "max"); }
Tensor min(const Tensor& x, Axes axis, bool keepdims) { return extreme(ReduceOp::min, x, axis, keepdims, "min"); }

Tensor prod(const Tensor& x, Axes axis, bool keepdims) {
  detail::require_defined(x, "prod");
  const auto axes = axis.resolve(x.rank(), "prod");
  Tensor y = reduce_kernel(ReduceOp::prod, count_bools(x), axes, keepdims);
  autograd::record(y, {x}, [x, axes](const Tensors& dy) {
    // d/dx_i prod = product of the others, exact when some x are zero.
    const Shape kept = kept_shape(x.shape(), axes);
    const Tensor nonzero = not_equal(x, scalar_like(0, x));
    const Tensor safe = where(nonzero, x, ones_like(x));
    const Tensor p = prod(safe, Axes(axes), true);
    const Tensor zeros_in = sum(cast(logical_not(nonzero), x.dtype()), Axes(axes), true);
    const Tensor zero = zeros_like(x);
    const Tensor others = where(equal(zeros_in, scalar_like(0, zeros_in)), p / safe,
                                where(logical_and(equal(zeros_in, scalar_like(1, zeros_in)), logical_not(nonzero)),
                                      broadcast_to(p, x.shape()), zero));
    return Tensors{multiply(others, reshape(dy[0], kept))};
  });
  return y;
}

Tensor var(const Tensor& x, Axes axis, bool keepdims) {
  detail::require_defined(x, "var");
  const Tensor xf = detail::to_floating(x);
  const Tensor centered = xf - mean(xf, axis, true);
  return mean(square(centered), axis, keepdims);
}

Tensor std(const Tensor& x, Axes axis, bool keepdims) { return sqrt(var(x, axis, keepdims)); }

Tensor logsumexp(const Tensor& x, Axes axis, bool keepdims) {
  detail::require_defined(x, "logsumexp");
  const Tensor xf = detail::to_floating(x);
  Tensor m = stop_gradient(max(xf, axis, true));
  m = where(isfinite(m), m, zeros_like(m));  // all -inf rows: keep log(0) = -inf instead of NaN
  Tensor out = log(sum(exp(xf - m), axis, true)) + m;
  if (!keepdims) {
    const auto axes = axis.resolve(x.rank(), "logsumexp");
    out = squeeze(out, axes);
  }
  return out;
}

Tensor all(const Tensor& x, Axes axis, bool keepdims) {
  detail::require_defined(x, "all");
  return reduce_kernel(ReduceOp::all, x, axis.resolve(x.rank(), "all"), keepdims);
}

Tensor any(const Tensor& x, Axes axis, bool keepdims) {
  detail::require_defined(x, "any");
  return reduce_kernel(ReduceOp::any, x, axis.resolve(x.rank(), "any"), keepdims);
}

namespace {
Tensor arg_extreme(const Tensor& x, std::optional<int64_t> axis, bool keepdims, bool is_max) {
  const char* name = is_max ? "argmax" : "argmin";
  detail::require_defined(x, name);
  if (!axis) {
    if (x.size() == 0) {
      throw ValueError(std::string(name) + ": attempt to get the " + name + " of an empty tensor of shape " + x.shape().str());
    }
    Tensor r = kernels::arg_reduce(ravel(x), 0, false, is_max);
    if (keepdims) r = reshape(r, Shape(std::vector<int64_t>(static_cast<size_t>(x.rank()), 1)));
    return r;
  }
  const int64_t a = normalize_axis(*axis, x.rank(), name);
  if (x.shape().dims()[static_cast<size_t>(a)] == 0) {
    throw ValueError(std::string(name) + ": attempt to get the " + name + " of an empty axis " + std::to_string(*axis) +
                     " of shape " + x.shape().str());
  }
  return kernels::arg_reduce(x, a, keepdims, is_max);
}
}  // namespace

Tensor argmax(const Tensor& x, std::optional<int64_t> axis, bool keepdims) { return arg_extreme(x, axis, keepdims, true); }
Tensor argmin(const Tensor& x, std::optional<int64_t> axis, bool keepdims) { return arg_extreme(x, axis, keepdims, false); }

}  // namespace keras::ops
