#include <keras/core/ops/normalization.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/detail.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/manipulation.h>
#include <keras/kernels/norm.h>

#include <algorithm>

namespace keras::ops {

namespace {

Tensor cast_to(const Tensor& v, DType dtype) { return v.defined() && v.dtype() != dtype ? cast(v, dtype) : v; }

// (x - mean) / sqrt(variance + epsilon) over `axes` as ops, with the statistics recomputed from x, so
// that a backward rule built on it can itself be differentiated.
Tensor normalized(const Tensor& x, const std::vector<int64_t>& axes, double epsilon, Tensor* inv_out) {
  const Tensor m = mean(x, Axes(axes), true);
  const Tensor centered = x - m;
  const Tensor inv = rsqrt(mean(square(centered), Axes(axes), true) + epsilon);
  *inv_out = inv;
  return centered * inv;
}

// The gradient of x through y = normalize(x over `axes`) * scale (scale broadcastable or undefined):
// inv * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * scale. Written with ops, for second
// derivatives; the kernels compute the same on the first-order path.
Tensor normalized_input_grad(const Tensor& dy, const Tensor& xhat, const Tensor& inv, const std::vector<int64_t>& axes,
                             const Tensor& scale) {
  const Tensor g = scale.defined() ? dy * scale : dy;
  return inv * (g - mean(g, Axes(axes), true) - xhat * mean(g * xhat, Axes(axes), true));
}

// The (C,)-vector arguments of batch normalization: checked against x.shape[axis], in x's dtype.
Tensor channel_vector(const Tensor& v, const char* name, int64_t channels, DType dtype, bool required) {
  if (!v.defined()) {
    if (required) throw ValueError(std::string("batch_normalization: argument `") + name + "` is undefined (None)");
    return v;
  }
  if (v.shape() != Shape{channels}) {
    throw ValueError(std::string("batch_normalization: argument `") + name +
                     "` must be a vector of length x.shape[axis]. Expected: " + Shape{channels}.str() +
                     ". Received: " + v.shape().str());
  }
  return cast_to(v, dtype);
}

Shape channel_broadcast_shape(int64_t rank, int64_t axis, int64_t channels) {
  std::vector<int64_t> dims(static_cast<size_t>(rank), 1);
  dims[static_cast<size_t>(axis)] = channels;
  return Shape(dims);
}

std::vector<int64_t> all_but(int64_t rank, int64_t axis) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < rank; ++i) {
    if (i != axis) out.push_back(i);
  }
  return out;
}

}  // namespace

std::pair<Tensor, Tensor> moments(const Tensor& x, Axes axes, bool keepdims, bool synchronized) {
  if (synchronized) {
    throw NotImplementedError("moments: synchronized=True (statistics gathered across devices) is not supported: "
                              "keras-cpp computes on one device");
  }
  detail::require_defined(x, "moments");
  const Tensor xf = detail::to_floating(x);
  const DType dtype = xf.dtype();
  // float16's range is too small for statistics: compute in float32, as Keras does.
  const Tensor xc = is_half(dtype) ? cast(xf, DType::float32) : xf;
  const auto resolved = axes.resolve(x.rank(), "moments");
  Tensor m = mean(xc, Axes(resolved), true);
  Tensor v = mean(square(xc - m), Axes(resolved), true);
  if (!keepdims) {
    m = squeeze(m, resolved);
    v = squeeze(v, resolved);
  }
  if (is_half(dtype)) {
    const double limit = dtype == DType::float16 ? 65504.0 : 3.3895313892515355e38;
    m = cast(clip(m, -limit, limit), dtype);
    v = cast(clip(v, -limit, limit), dtype);
  }
  return {m, v};
}

Tensor batch_normalization(const Tensor& x, const Tensor& mean, const Tensor& variance, int64_t axis,
                           const Tensor& offset, const Tensor& scale, double epsilon) {
  detail::require_defined(x, "batch_normalization");
  const Tensor xf = detail::to_floating(x);
  const DType dtype = xf.dtype();
  const int64_t a = normalize_axis(axis, x.rank(), "batch_normalization");
  const int64_t channels = x.shape()[a];
  const Tensor m = channel_vector(mean, "mean", channels, dtype, true);
  const Tensor v = channel_vector(variance, "variance", channels, dtype, true);
  const Tensor o = channel_vector(offset, "offset", channels, dtype, false);
  const Tensor s = channel_vector(scale, "scale", channels, dtype, false);
  if (!autograd::tape_active()) {
    return kernels::batch_norm_forward({.src = xf, .axis = a, .epsilon = epsilon, .scale = s, .shift = o, .mean = m,
                                        .variance = v}).dst;
  }
  // (C,)-sized arithmetic first, so that x sees one multiply and one add.
  Tensor inv = rsqrt(v + epsilon);
  if (s.defined()) inv = inv * s;
  Tensor res = negative(m) * inv;
  if (o.defined()) res = res + o;
  const Shape b = channel_broadcast_shape(x.rank(), a, channels);
  return xf * reshape(inv, b) + reshape(res, b);
}

FusedBatchNormalization fused_batch_normalization(const Tensor& x, int64_t axis, const Tensor& offset,
                                                  const Tensor& scale, double epsilon) {
  detail::require_defined(x, "fused_batch_normalization");
  const Tensor xf = detail::to_floating(x);
  const DType dtype = xf.dtype();
  const int64_t a = normalize_axis(axis, x.rank(), "fused_batch_normalization");
  const int64_t channels = x.shape()[a];
  const Tensor o = channel_vector(offset, "offset", channels, dtype, false);
  const Tensor s = channel_vector(scale, "scale", channels, dtype, false);
  auto r = kernels::batch_norm_forward({.src = xf, .axis = a, .epsilon = epsilon, .scale = s, .shift = o});
  Tensors inputs{xf};
  if (s.defined()) inputs.push_back(s);
  if (o.defined()) inputs.push_back(o);
  autograd::record(Tensors{r.dst}, inputs, [xf, s, o, a, epsilon, mean = r.mean, var = r.variance](const Tensors& dy) {
    Tensors grads{Tensor()};
    Tensor dscale, dshift;
    if (autograd::tape_active()) {
      // An outer tape differentiates this gradient: the same formula as the kernel, with ops.
      const auto axes = all_but(xf.rank(), a);
      const Shape b = channel_broadcast_shape(xf.rank(), a, xf.shape()[a]);
      Tensor inv;
      const Tensor xhat = normalized(xf, axes, epsilon, &inv);
      grads[0] = normalized_input_grad(dy[0], xhat, inv, axes, s.defined() ? reshape(s, b) : Tensor());
      if (s.defined()) dscale = sum(dy[0] * xhat, Axes(axes));
      if (o.defined()) dshift = sum(dy[0], Axes(axes));
    } else {
      auto g = kernels::batch_norm_backward({.src = xf, .diff_dst = dy[0], .mean = mean, .variance = var, .axis = a,
                                             .epsilon = epsilon, .scale = s, .use_shift = o.defined()});
      grads[0] = g.diff_src;
      dscale = g.diff_scale;
      dshift = g.diff_shift;
    }
    if (s.defined()) grads.push_back(dscale);
    if (o.defined()) grads.push_back(dshift);
    return grads;
  });
  return {r.dst, r.mean, r.variance};
}

Tensor layer_normalization(const Tensor& x, const Tensor& gamma, const Tensor& beta, Axes axis,
                           std::optional<double> epsilon, bool rms_scaling) {
  detail::require_defined(x, "layer_normalization");
  const Tensor xf = detail::to_floating(x);
  const DType dtype = xf.dtype();
  const int64_t rank = x.rank();
  const auto axes = axis.resolve(rank, "layer_normalization");
  const double eps = epsilon.value_or(1e-7);  // Keras's backend.epsilon()
  std::vector<int64_t> bdims(static_cast<size_t>(rank), 1);
  int64_t cols = 1;
  for (int64_t d : axes) {
    bdims[static_cast<size_t>(d)] = x.shape()[d];
    cols *= x.shape()[d];
  }
  const Shape bshape(bdims);
  const bool last_axis_only = axes.size() == 1 && axes[0] == rank - 1;
  // As Keras: gamma and beta of another rank than x span the normalized axes and are reshaped to
  // broadcast against x (a vector on the last axis broadcasts as it is).
  auto broadcast = [&](const Tensor& v, const char* name) {
    if (!v.defined()) return v;
    Tensor c = cast_to(v, dtype);
    if (c.rank() != rank && !last_axis_only) {
      if (c.size() != cols) {
        throw ValueError(std::string("layer_normalization: `") + name + "` of shape " + c.shape().str() +
                         " does not span the normalized axes of x of shape " + x.shape().str() + " (expected " +
                         std::to_string(cols) + " elements)");
      }
      c = reshape(c, bshape);
    }
    return c;
  };
  const Tensor g = broadcast(gamma, "gamma");
  if (rms_scaling) {
    // NOTE: Keras's rms_scaling divides by the variance, not the mean square (that is rms_normalization).
    const Tensor variance = moments(xf, Axes(axes), true).second;
    Tensor out = xf * rsqrt(variance + eps);
    return g.defined() ? out * g : out;
  }
  const Tensor b = broadcast(beta, "beta");

  // The fused kernel covers trailing axes with gamma and beta laid out as those axes.
  bool trailing = true;
  for (size_t i = 0; i < axes.size(); ++i) trailing = trailing && axes[i] == rank - static_cast<int64_t>(axes.size() - i);
  auto spans = [&](const Tensor& v) {
    if (!v.defined()) return true;
    if (v.rank() > rank) return false;
    for (int64_t i = 0; i < rank; ++i) {
      const int64_t j = i - (rank - v.rank());
      const int64_t got = j < 0 ? 1 : v.shape()[j];
      if (got != bdims[static_cast<size_t>(i)]) return false;
    }
    return true;
  };
  if (!(trailing && spans(g) && spans(b) && !axes.empty())) {
    const auto [m, variance] = moments(xf, Axes(axes), true);
    Tensor inv = rsqrt(variance + eps);
    if (g.defined()) inv = inv * g;
    Tensor res = negative(m) * inv;
    if (b.defined()) res = res + b;
    return xf * inv + res;
  }

  auto r = kernels::layer_norm_forward({.src = xf, .cols = cols, .epsilon = eps, .scale = g, .shift = b});
  Tensors inputs{xf};
  if (g.defined()) inputs.push_back(g);
  if (b.defined()) inputs.push_back(b);
  autograd::record(Tensors{r.dst}, inputs, [xf, g, b, axes, cols, eps, mean = r.mean, var = r.variance](const Tensors& dy) {
    Tensors grads{Tensor()};
    Tensor dscale, dshift;
    if (autograd::tape_active()) {
      std::vector<int64_t> outer;
      for (int64_t i = 0; i < axes.front(); ++i) outer.push_back(i);
      Tensor inv;
      const Tensor xhat = normalized(xf, axes, eps, &inv);
      grads[0] = normalized_input_grad(dy[0], xhat, inv, axes, g);  // g broadcasts: it spans the trailing axes
      if (g.defined()) dscale = reshape(sum(dy[0] * xhat, Axes(outer)), g.shape());
      if (b.defined()) dshift = reshape(sum(dy[0], Axes(outer)), b.shape());
    } else {
      auto k = kernels::layer_norm_backward({.src = xf, .diff_dst = dy[0], .mean = mean, .variance = var, .cols = cols,
                                             .epsilon = eps, .scale = g, .use_shift = b.defined(),
                                             .shift_shape = b.defined() ? b.shape() : Shape{}});
      grads[0] = k.diff_src;
      dscale = k.diff_scale;
      dshift = k.diff_shift;
    }
    if (g.defined()) grads.push_back(dscale);
    if (b.defined()) grads.push_back(dshift);
    return grads;
  });
  return r.dst;
}

}  // namespace keras::ops
