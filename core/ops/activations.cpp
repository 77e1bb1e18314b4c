#include <keras/core/ops/activations.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/detail.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/reduction.h>
#include <keras/kernels/elementwise.h>
#include <keras/kernels/softmax.h>

#include <cmath>
#include <string_view>

namespace keras::ops {

using kernels::UnaryOp;

namespace {

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2 / pi), of gelu's tanh form
constexpr double kGeluCubic = 0.044715;

// Activations are defined on floats only: integers are taken as float32, as Keras's float ops do.
Tensor activation_input(const Tensor& x, std::string_view name) {
  detail::require_defined(x, name);
  return detail::to_floating(x);
}

// dy where `mask` holds, else 0: the gradient of a piecewise-linear function with slope 1 there.
Tensor masked(const Tensor& mask, const Tensor& dy) { return where(mask, dy, zeros_like(dy)); }

}  // namespace

Tensor relu(const Tensor& x) {
  const Tensor xf = activation_input(x, "relu");
  Tensor y = kernels::unary({UnaryOp::relu, xf});
  // From the output (y > 0 exactly where x > 0: the gradient at 0 is 0, as TensorFlow), in one
  // kernel; a traced step then no longer reads x after the relu, so graph passes can fuse the relu
  // into the matmul or convolution before it.
  autograd::record(y, {xf}, [y](const Tensors& dy) { return Tensors{detail::relu_grad(dy[0], y)}; });
  return y;
}

Tensor relu6(const Tensor& x) {
  const Tensor xf = activation_input(x, "relu6");
  Tensor y = kernels::unary({UnaryOp::relu6, xf});
  autograd::record(y, {xf}, [xf](const Tensors& dy) { return Tensors{masked((xf > 0.0) & (xf < 6.0), dy[0])}; });
  return y;
}

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  const Tensor xf = activation_input(x, "leaky_relu");
  Tensor y = kernels::unary({UnaryOp::leaky_relu, xf, negative_slope});
  autograd::record(y, {xf}, [xf, negative_slope](const Tensors& dy) {
    return Tensors{where(xf > 0.0, dy[0], dy[0] * negative_slope)};
  });
  return y;
}

Tensor elu(const Tensor& x, double alpha) {
  const Tensor xf = activation_input(x, "elu");
  Tensor y = kernels::unary({UnaryOp::elu, xf, alpha});
  autograd::record(y, {xf}, [xf, y, alpha](const Tensors& dy) {  // d alpha (e^x - 1) = y + alpha
    return Tensors{where(xf > 0.0, dy[0], dy[0] * (y + alpha))};
  });
  return y;
}

Tensor selu(const Tensor& x) {
  const Tensor xf = activation_input(x, "selu");
  Tensor y = kernels::unary({UnaryOp::selu, xf});
  autograd::record(y, {xf}, [xf, y](const Tensors& dy) {
    return Tensors{where(xf > 0.0, dy[0] * kSeluScale, dy[0] * (y + kSeluScale * kSeluAlpha))};
  });
  return y;
}

Tensor gelu(const Tensor& x, bool approximate) {
  const Tensor xf = activation_input(x, "gelu");
  Tensor y = kernels::unary({approximate ? UnaryOp::gelu_tanh : UnaryOp::gelu, xf});
  autograd::record(y, {xf}, [xf, approximate](const Tensors& dy) {
    if (approximate) {
      // y = x/2 (1 + t), t = tanh(c (x + k x^3)): y' = (1 + t)/2 + x/2 (1 - t^2) c (1 + 3k x^2)
      const Tensor x2 = square(xf);
      const Tensor t = tanh(kSqrt2OverPi * (xf + kGeluCubic * xf * x2));
      const Tensor du = kSqrt2OverPi * (1.0 + (3 * kGeluCubic) * x2);
      return Tensors{dy[0] * (0.5 * (1.0 + t) + 0.5 * xf * (1.0 - square(t)) * du)};
    }
    // y = x Phi(x): y' = Phi(x) + x phi(x)
    const Tensor cdf = 0.5 * (1.0 + erf(xf * M_SQRT1_2));
    const Tensor pdf = exp(-0.5 * square(xf)) * (0.5 * M_2_SQRTPI * M_SQRT1_2);
    return Tensors{dy[0] * (cdf + xf * pdf)};
  });
  return y;
}

Tensor softplus(const Tensor& x) {
  const Tensor xf = activation_input(x, "softplus");
  Tensor y = kernels::unary({UnaryOp::softplus, xf});
  autograd::record(y, {xf}, [xf](const Tensors& dy) { return Tensors{dy[0] * sigmoid(xf)}; });
  return y;
}

Tensor softsign(const Tensor& x) {
  const Tensor xf = activation_input(x, "softsign");
  Tensor y = kernels::unary({UnaryOp::softsign, xf});
  autograd::record(y, {xf}, [xf](const Tensors& dy) { return Tensors{dy[0] / square(1.0 + abs(xf))}; });
  return y;
}

Tensor silu(const Tensor& x) {
  const Tensor xf = activation_input(x, "silu");
  Tensor y = kernels::unary({UnaryOp::silu, xf});
  autograd::record(y, {xf}, [xf](const Tensors& dy) {  // (x s)' = s (1 + x (1 - s))
    const Tensor s = sigmoid(xf);
    return Tensors{dy[0] * s * (1.0 + xf * (1.0 - s))};
  });
  return y;
}

Tensor swish(const Tensor& x) { return silu(x); }

Tensor hard_sigmoid(const Tensor& x) {
  const Tensor xf = activation_input(x, "hard_sigmoid");
  Tensor y = kernels::unary({UnaryOp::hard_sigmoid, xf});
  autograd::record(y, {xf}, [xf](const Tensors& dy) {
    return Tensors{masked((xf > -3.0) & (xf < 3.0), dy[0] / 6.0)};
  });
  return y;
}

Tensor softmax(const Tensor& x, int64_t axis) {
  const Tensor xf = activation_input(x, "softmax");
  const int64_t a = normalize_axis(axis, xf.rank(), "softmax");
  Tensor y = kernels::softmax(xf, a, false);
  autograd::record(y, {xf}, [y, a](const Tensors& dy) {
    // One kernel pass (CPU, float32/64 only so far), unless an outer tape records this backward to
    // differentiate it again.
    if (!autograd::tape_active() && dy[0].dtype() == y.dtype() && y.device().is_cpu() &&
        (y.dtype() == DType::float32 || y.dtype() == DType::float64)) {
      return Tensors{kernels::softmax_backward(y, dy[0], a)};
    }
    return Tensors{y * (dy[0] - sum(dy[0] * y, a, true))};
  });
  return y;
}

namespace detail {

Tensor sparse_crossentropy(const Tensor& output, const Tensor& labels, bool from_logits, double epsilon,
                           std::function<Tensor(const Tensor&)> reference) {
  Tensor res = kernels::sparse_crossentropy(output, labels, from_logits, epsilon);
  autograd::record(res, {output}, [output, labels, from_logits, epsilon, reference = std::move(reference)](const Tensors& dy) {
    if (!autograd::tape_active()) {
      return Tensors{kernels::sparse_crossentropy_backward(output, labels, dy[0], from_logits, epsilon)};
    }
    GradientTape tape;
    tape.watch(output);
    const Tensor loss = reference(output);
    return Tensors{tape.gradient(loss, output, {.output_gradients = {dy[0]}})};
  });
  return res;
}

}  // namespace detail

Tensor log_softmax(const Tensor& x, int64_t axis) {
  const Tensor xf = activation_input(x, "log_softmax");
  const int64_t a = normalize_axis(axis, xf.rank(), "log_softmax");
  Tensor y = kernels::softmax(xf, a, true);
  autograd::record(y, {xf}, [y, a](const Tensors& dy) {
    return Tensors{dy[0] - exp(y) * sum(dy[0], a, true)};
  });
  return y;
}

}  // namespace keras::ops
