#include <keras/core/ops/conv.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/detail.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/manipulation.h>
#include <keras/core/ops/reduction.h>
#include <keras/core/repr.h>
#include <keras/kernels/conv.h>

#include <string>

namespace keras::ops {

using kernels::ConvActivation;
using kernels::ConvGeometry;

namespace {

int64_t channel_axis(const ConvGeometry& g, int64_t rank) { return g.channels_first ? 1 : rank - 1; }

// The three convolution kernels as ops. Each one's gradient is written with the other two, so
// every derivative of a convolution, to any order, is again a convolution.
Tensor conv_weights_grad(const Tensor& x, const Tensor& dy, const Shape& w_shape, const ConvGeometry& g);
Tensor conv_data_grad(const Tensor& dy, const Tensor& w, const Shape& x_shape, const ConvGeometry& g);

Tensor conv_nd(const Tensor& x, const Tensor& w, const ConvGeometry& g) {
  Tensor y = kernels::conv_forward({x, w, g});
  autograd::record(y, {x, w}, [x, w, g](const Tensors& dy, const autograd::NeedsGrad& needs) {
    return Tensors{needs[0] ? conv_data_grad(dy[0], w, x.shape(), g) : Tensor(),
                   needs[1] ? conv_weights_grad(x, dy[0], w.shape(), g) : Tensor()};
  });
  return y;
}

// <conv_data_grad(dy, w), t> = <dy, conv(t, w)>, linear in dy and in w.
Tensor conv_data_grad(const Tensor& dy, const Tensor& w, const Shape& x_shape, const ConvGeometry& g) {
  Tensor dx = kernels::conv_backward_data({dy, w, x_shape, g});
  autograd::record(dx, {dy, w}, [dy, w, g](const Tensors& t, const autograd::NeedsGrad& needs) {
    return Tensors{needs[0] ? conv_nd(t[0], w, g) : Tensor(),
                   needs[1] ? conv_weights_grad(t[0], dy, w.shape(), g) : Tensor()};
  });
  return dx;
}

// <conv_weights_grad(x, dy), t> = <dy, conv(x, t)> = <x, conv_data_grad(dy, t)>.
Tensor conv_weights_grad(const Tensor& x, const Tensor& dy, const Shape& w_shape, const ConvGeometry& g) {
  Tensor dw = kernels::conv_backward_weights({x, dy, w_shape, g})[0];
  autograd::record(dw, {x, dy}, [x, dy, g](const Tensors& t, const autograd::NeedsGrad& needs) {
    return Tensors{needs[0] ? conv_data_grad(dy, t[0], x.shape(), g) : Tensor(),
                   needs[1] ? conv_nd(x, t[0], g) : Tensor()};
  });
  return dw;
}

// Bias of shape (O,) broadcast against an activation of `rank` in g's layout.
Tensor broadcast_bias(const Tensor& b, const ConvGeometry& g, int64_t rank) {
  if (!g.channels_first) return b;
  std::vector<int64_t> dims(static_cast<size_t>(rank), 1);
  dims[1] = b.shape()[0];
  return reshape(b, Shape(dims));
}

// The kernel and the bias gradients in one oneDNN pass; differentiable like conv_weights_grad.
Tensors conv_weights_bias_grad(const Tensor& x, const Tensor& dy, const Shape& w_shape, const ConvGeometry& g) {
  Tensors out = kernels::conv_backward_weights({x, dy, w_shape, g, true});
  autograd::record(out, Tensors{x, dy}, [x, dy, g](const Tensors& t, const autograd::NeedsGrad& needs) {
    return Tensors{needs[0] ? conv_data_grad(dy, t[0], x.shape(), g) : Tensor(),
                   needs[1] ? conv_nd(x, t[0], g) + broadcast_bias(t[1], g, dy.rank()) : Tensor()};
  });
  return out;
}

Tensor bias_grad(const Tensor& dy, const ConvGeometry& g) {
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < dy.rank(); ++i) {
    if (i != channel_axis(g, dy.rank())) axes.push_back(i);
  }
  return sum(dy, Axes(axes));
}

// Fused activation(conv(x, w) + b); relu's gradient masks by the output (y > 0 exactly where x > 0).
Tensor conv_fused(const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeometry& g, ConvActivation act) {
  Tensor y = kernels::conv_forward({x, w, g, b, act});
  autograd::record(y, {x, w, b}, [x, w, b, g, act, y](const Tensors& dy, const autograd::NeedsGrad& needs) {
    const Tensor m = act == ConvActivation::relu ? detail::relu_grad(dy[0], y) : dy[0];
    Tensors grads(3);
    if (needs[0]) grads[0] = conv_data_grad(m, w, x.shape(), g);
    if (needs[1] && needs[2]) {
      Tensors wb = conv_weights_bias_grad(x, m, w.shape(), g);
      grads[1] = wb[0];
      grads[2] = wb[1];
    } else if (needs[1]) {
      grads[1] = conv_weights_grad(x, m, w.shape(), g);
    } else if (needs[2]) {
      grads[2] = bias_grad(m, g);
    }
    return grads;
  });
  return y;
}

// Inputs and kernel checked and cast to one floating dtype.
std::pair<Tensor, Tensor> prepare(const Tensor& inputs, const Tensor& kernel, const std::string& op) {
  detail::require_defined(inputs, op);
  detail::require_defined(kernel, op);
  auto [x, w] = detail::promote(detail::to_floating(inputs), detail::to_floating(kernel));
  if (inputs.rank() < 3 || inputs.rank() > 5) {
    throw ValueError(op + ": expected inputs of rank 3, 4 or 5 (batch, spatial axes and channels), got shape " +
                     inputs.shape().str());
  }
  if (kernel.rank() != inputs.rank()) {
    throw ValueError(op + ": kernel shape must have the same length as input, but received kernel of shape " +
                     kernel.shape().str() + " and input of shape " + inputs.shape().str());
  }
  return {x, w};
}

// The geometry of a forward convolution of `x_shape` by a kernel of spatial size `k` with Keras's
// padding rule; throws when an output axis would be empty.
ConvGeometry forward_geometry(const std::string& op, const Shape& x_shape, const Shape& w_shape,
                              const ConvOptions& o, bool allow_causal, int64_t groups) {
  const size_t n = static_cast<size_t>(x_shape.rank() - 2);
  ConvGeometry g;
  g.channels_first = conv_utils::standardize_data_format(o.data_format) == "channels_first";
  const std::string padding = conv_utils::standardize_padding(o.padding, allow_causal);
  g.strides = conv_utils::normalize_tuple(o.strides, n, "strides");
  g.dilation = conv_utils::normalize_tuple(o.dilation_rate, n, "dilation_rate");
  g.groups = groups;
  for (size_t i = 0; i < n; ++i) {
    const int64_t in = x_shape[static_cast<int64_t>(g.channels_first ? i + 2 : i + 1)];
    const int64_t k = w_shape[static_cast<int64_t>(i)];
    if (conv_utils::output_length(in, k, padding, g.strides[i], g.dilation[i]) <= 0) {
      throw ValueError(op + ": computed output size would be negative. Received `inputs shape=" + x_shape.str() +
                       "`, `kernel shape=" + w_shape.str() + "`, `dilation_rate=" + tuple_str(g.dilation) + "`.");
    }
    const auto [pl, pr] = conv_utils::padding_amounts(in, k, padding, g.strides[i], g.dilation[i]);
    g.padding_l.push_back(pl);
    g.padding_r.push_back(pr);
  }
  return g;
}

// Groups as Keras infers them: the input's channels over the kernel's input channels.
int64_t infer_groups(const std::string& op, const Shape& x_shape, const Shape& w_shape, bool channels_first) {
  const int64_t c = channels_first ? x_shape[1] : x_shape[-1];
  const int64_t kc = w_shape[-2], filters = w_shape[-1];
  if (kc <= 0 || c % kc != 0) {
    throw ValueError(op + ": the input's " + std::to_string(c) + " channels (inputs shape " + x_shape.str() +
                     ") are not a multiple of the kernel's " + std::to_string(kc) + " input channels (kernel shape " +
                     w_shape.str() + ")");
  }
  const int64_t groups = c / kc;
  if (filters % groups != 0) {
    throw ValueError(op + ": the kernel's " + std::to_string(filters) + " filters (kernel shape " + w_shape.str() +
                     ") are not divisible by the " + std::to_string(groups) + " groups the inputs of shape " +
                     x_shape.str() + " imply");
  }
  return groups;
}

ConvActivation fused_activation(const std::string& activation) {
  if (activation == "linear") return ConvActivation::none;
  if (activation == "relu") return ConvActivation::relu;
  throw ValueError("conv_bias_activation: activation must be 'linear' or 'relu', got '" + activation + "'");
}

Tensor conv_impl(const std::string& op, const Tensor& inputs, const Tensor& kernel, const Tensor& bias,
                 const ConvOptions& o, bool allow_causal, ConvActivation act) {
  auto [x, w] = prepare(inputs, kernel, op);
  const bool channels_first = conv_utils::standardize_data_format(o.data_format) == "channels_first";
  const int64_t groups = infer_groups(op, x.shape(), w.shape(), channels_first);
  const ConvGeometry g = forward_geometry(op, x.shape(), w.shape(), o, allow_causal, groups);
  if (!bias.defined() && act == ConvActivation::none) return conv_nd(x, w, g);
  const Tensor b = bias.astype(x.dtype());
  if (b.rank() != 1 || b.shape()[0] != w.shape()[-1]) {
    throw ValueError(op + ": expected a bias of shape (" + std::to_string(w.shape()[-1]) + ",) for kernel of shape " +
                     w.shape().str() + ", got " + bias.shape().str());
  }
  return conv_fused(x, w, b, g, act);
}

}  // namespace

Tensor conv(const Tensor& inputs, const Tensor& kernel, const ConvOptions& options) {
  return conv_impl("conv", inputs, kernel, Tensor(), options, false, ConvActivation::none);
}

Tensor conv_bias_activation(const Tensor& inputs, const Tensor& kernel, const Tensor& bias, const ConvOptions& options,
                            const std::string& activation) {
  const ConvActivation act = fused_activation(activation);
  if (!bias.defined() && act == ConvActivation::none) {
    return conv_impl("conv_bias_activation", inputs, kernel, Tensor(), options, true, act);
  }
  if (!bias.defined()) {
    // relu without a bias: a zero bias keeps the one fused path.
    detail::require_defined(kernel, "conv_bias_activation");
    return conv_impl("conv_bias_activation", inputs, kernel, zeros({kernel.shape()[-1]}, kernel.dtype()), options,
                     true, act);
  }
  return conv_impl("conv_bias_activation", inputs, kernel, bias, options, true, act);
}

Tensor depthwise_conv(const Tensor& inputs, const Tensor& kernel, const ConvOptions& options) {
  auto [x, w] = prepare(inputs, kernel, "depthwise_conv");
  const bool channels_first = conv_utils::standardize_data_format(options.data_format) == "channels_first";
  const int64_t c = channels_first ? x.shape()[1] : x.shape()[-1];
  if (w.shape()[-2] != c) {
    throw ValueError("depthwise_conv: the kernel's input channels (axis -2 of kernel shape " + w.shape().str() +
                     ") must equal the input's channels, got inputs of shape " + x.shape().str());
  }
  // (*k, C, M) read as (*k, 1, C * M): one group per input channel, its M filters adjacent.
  std::vector<int64_t> dims(w.shape().dims().begin(), w.shape().dims().end() - 2);
  dims.push_back(1);
  dims.push_back(c * w.shape()[-1]);
  const Tensor w2 = reshape(w, Shape(dims));
  const ConvGeometry g = forward_geometry("depthwise_conv", x.shape(), w2.shape(), options, false, c);
  return conv_nd(x, w2, g);
}

Tensor separable_conv(const Tensor& inputs, const Tensor& depthwise_kernel, const Tensor& pointwise_kernel,
                      const ConvOptions& options) {
  detail::require_defined(pointwise_kernel, "separable_conv");
  if (pointwise_kernel.rank() != inputs.rank()) {
    throw ValueError("separable_conv: pointwise kernel shape must have the same length as input, but received kernel "
                     "of shape " + pointwise_kernel.shape().str() + " and input of shape " + inputs.shape().str());
  }
  for (int64_t i = 0; i + 2 < pointwise_kernel.rank(); ++i) {
    if (pointwise_kernel.shape()[i] != 1) {
      throw ValueError("separable_conv: expected a pointwise kernel of spatial size 1, got shape " +
                       pointwise_kernel.shape().str());
    }
  }
  const Tensor depthwise = depthwise_conv(inputs, depthwise_kernel, options);
  return conv(depthwise, pointwise_kernel, {.strides = {1}, .padding = "valid", .data_format = options.data_format,
                                            .dilation_rate = {1}});
}

Tensor conv_transpose(const Tensor& inputs, const Tensor& kernel, const ConvTransposeOptions& o) {
  const std::string op = "conv_transpose";
  auto [x, w] = prepare(inputs, kernel, op);
  const size_t n = static_cast<size_t>(x.rank() - 2);
  ConvGeometry g;
  g.channels_first = conv_utils::standardize_data_format(o.data_format) == "channels_first";
  const std::string padding = conv_utils::standardize_padding(o.padding);
  g.strides = conv_utils::normalize_tuple(o.strides, n, "strides");
  g.dilation = conv_utils::normalize_tuple(o.dilation_rate, n, "dilation_rate");
  std::vector<int64_t> output_padding(n, -1);
  if (o.output_padding) output_padding = conv_utils::normalize_tuple(*o.output_padding, n, "output_padding", true);
  const int64_t c = g.channels_first ? x.shape()[1] : x.shape()[-1];
  if (w.shape()[-1] != c) {
    throw ValueError(op + ": the kernel's last axis (input channels) must equal the input's channels, got kernel of "
                     "shape " + w.shape().str() + " and inputs of shape " + x.shape().str());
  }
  const int64_t filters = w.shape()[-2];
  std::vector<int64_t> out_dims{x.shape()[0]};
  if (g.channels_first) out_dims.push_back(filters);
  for (size_t i = 0; i < n; ++i) {
    const int64_t in = x.shape()[static_cast<int64_t>(g.channels_first ? i + 2 : i + 1)];
    const int64_t k = w.shape()[static_cast<int64_t>(i)];
    const int64_t out = conv_utils::transpose_output_length(in, k, padding, g.strides[i], g.dilation[i],
                                                            output_padding[i]);
    if (out <= 0) {
      throw ValueError(op + ": computed output size would be negative. Received `inputs shape=" + x.shape().str() +
                       "`, `kernel shape=" + w.shape().str() + "`, `output_padding=" + tuple_str(output_padding) + "`.");
    }
    // The padding of the forward convolution this one transposes (output -> input), as TensorFlow
    // derives it; the right side only needs to make that convolution's output exactly `in` long.
    const int64_t eff = (k - 1) * g.dilation[i] + 1;
    const int64_t need = (in - 1) * g.strides[i] + eff - out;
    const int64_t pl = padding == "same" ? std::max<int64_t>(need, 0) / 2 : 0;
    const int64_t pr = need - pl;
    if (pr <= -g.strides[i]) {
      throw ValueError(op + ": output_padding " + tuple_str(output_padding) + " is too large for strides " +
                       tuple_str(g.strides) + " (inputs shape " + x.shape().str() + ", kernel shape " +
                       w.shape().str() + ")");
    }
    g.padding_l.push_back(pl);
    g.padding_r.push_back(std::max<int64_t>(pr, 0));
    out_dims.push_back(out);
  }
  if (!g.channels_first) out_dims.push_back(filters);
  return conv_data_grad(x, w, Shape(out_dims), g);
}

}  // namespace keras::ops
