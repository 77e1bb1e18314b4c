#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

#include <cmath>
#include <iterator>
#include <limits>

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;

namespace {

using UnaryFn = std::function<Tensor(const Tensor&)>;

Tensor f32(std::initializer_list<float> values) { return Tensor(values); }

// Points away from every activation's kinks (0, 6, +-3), where finite differences are meaningless.
Tensor grad_points() { return Tensor({-4.2, -2.5, -1.3, -0.4, 0.3, 0.9, 2.2, 4.1, 7.5}); }

void check_unary_gradient(const UnaryFn& fn) {
  check_gradients([&](const Tensors& xs) { return fn(xs[0]); }, {grad_points()});
}

// The gradient of the gradient, so backward rules are themselves differentiable.
void check_second_gradient(const UnaryFn& fn) {
  check_gradients(
      [&](const Tensors& xs) {
        GradientTape tape;
        tape.watch(xs[0]);
        const Tensor y = ops::sum(fn(xs[0]));
        return tape.gradient(y, xs[0]);
      },
      {grad_points()});
}

// n points spanning [lo, hi] and the special values: long enough for the CPU's oneDNN paths.
Tensor wide_input(double lo, double hi, int64_t n = 5000) {
  std::vector<float> v;
  const double step = (hi - lo) / static_cast<double>(n - 1);
  for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<float>(lo + step * static_cast<double>(i)));
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (float special : {nan, inf, -inf, 0.f, -0.f, 1e-30f, -1e-30f, 1e30f, -1e30f}) v.push_back(special);
  return Tensor::from_vector(v);
}

// fn in float32 against fn in float64 (the reference loops) rounded to float32; infinities must match.
void check_float32_against_float64(const UnaryFn& fn, const Tensor& x, double rtol = 1e-5, double atol = 1e-6) {
  const Tensor got = fn(x);
  REQUIRE(got.dtype() == DType::float32);
  const auto a = got.to_vector<double>();
  const auto e = fn(x.astype(DType::float64)).astype(DType::float32).to_vector<double>();
  const auto in = x.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    const bool same = a[i] == e[i] || (std::isnan(a[i]) && std::isnan(e[i])) ||
                      std::fabs(a[i] - e[i]) <= rtol * std::fabs(e[i]) + atol;
    if (!same) {
      FAIL_CHECK("at x = " << in[i] << ": " << a[i] << " != expected " << e[i]);
      return;
    }
  }
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("relu zeroes negatives and keeps positives") {
  check_allclose(ops::relu(f32({-2.f, -0.5f, 0.f, 0.5f, 3.f})), f32({0.f, 0.f, 0.f, 0.5f, 3.f}));
}

TEST_CASE("Activations propagate NaN, as NumPy and JAX") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const UnaryFn fns[] = {ops::relu, ops::relu6, [](const Tensor& x) { return ops::leaky_relu(x); },
                         [](const Tensor& x) { return ops::elu(x); }, ops::selu,
                         [](const Tensor& x) { return ops::gelu(x); }, ops::softplus, ops::softsign, ops::silu,
                         ops::hard_sigmoid};
  for (size_t i = 0; i < std::size(fns); ++i) {
    CAPTURE(i);
    CHECK(std::isnan(fns[i](f32({nan})).item<float>()));
    CHECK(std::isnan(fns[i](ops::full({4096}, nan)).to_vector<float>()[4095]));  // the oneDNN path
  }
}

TEST_CASE("relu's gradient at 0 is 0, as TensorFlow") {
  Tensor x({-1.0, 0.0, 2.0});
  GradientTape tape;
  tape.watch(x);
  check_allclose(tape.gradient(ops::relu(x), x), Tensor({0.0, 0.0, 1.0}));
}

TEST_CASE("relu6 clips to [0, 6]") {
  check_allclose(ops::relu6(f32({-1.f, 0.f, 3.f, 6.f, 7.f})), f32({0.f, 0.f, 3.f, 6.f, 6.f}));
}

TEST_CASE("leaky_relu scales negatives by negative_slope, 0.2 by default") {
  check_allclose(ops::leaky_relu(f32({-2.f, 0.f, 3.f})), f32({-0.4f, 0.f, 3.f}));
  check_allclose(ops::leaky_relu(f32({-2.f, 0.f, 3.f}), 0.01), f32({-0.02f, 0.f, 3.f}));
}

TEST_CASE("elu is alpha * (exp(x) - 1) below 0") {
  check_allclose(ops::elu(f32({-1.f, 0.f, 2.f})), f32({-0.6321205588f, 0.f, 2.f}));
  check_allclose(ops::elu(f32({-1.f, 0.f, 2.f}), 2.0), f32({-1.2642411177f, 0.f, 2.f}));
  check_allclose(ops::elu(f32({-100.f})), f32({-1.f}));
}

TEST_CASE("selu scales elu with Klambauer's constants") {
  check_allclose(ops::selu(f32({-1.f, -0.5f, 0.f, 2.f})), f32({-1.1113307378f, -0.6917581878f, 0.f, 2.1014019747f}));
}

TEST_CASE("gelu uses the tanh approximation by default and erf when approximate is false") {
  check_allclose(ops::gelu(f32({-1.f, 0.f, 1.f, 2.f})), f32({-0.1588080094f, 0.f, 0.8411919906f, 1.9545976941f}),
                 1e-5, 1e-6);
  check_allclose(ops::gelu(f32({-1.f, 0.f, 1.f, 2.f}), false), f32({-0.1586552539f, 0.f, 0.8413447461f, 1.9544997361f}),
                 1e-5, 1e-6);
}

TEST_CASE("softplus is log(1 + exp(x)) and stays finite for large magnitudes") {
  check_allclose(ops::softplus(f32({-100.f, -1.f, 0.f, 1.f, 100.f})),
                 f32({0.f, 0.3132616875f, 0.6931471806f, 1.3132616875f, 100.f}), 1e-6, 1e-7);
  check_allclose(ops::softplus(Tensor({1000.0, -1000.0})), Tensor({1000.0, 0.0}));
}

TEST_CASE("softsign is x / (1 + |x|)") {
  check_allclose(ops::softsign(f32({-3.f, 0.f, 1.f})), f32({-0.75f, 0.f, 0.5f}));
}

TEST_CASE("silu and swish are x * sigmoid(x), stable for large magnitudes") {
  const Tensor x = f32({-100.f, -1.f, 0.f, 1.f, 100.f});
  const Tensor expected = f32({0.f, -0.2689414214f, 0.f, 0.7310585786f, 100.f});
  check_allclose(ops::silu(x), expected);
  check_allclose(ops::swish(x), expected);
  check_allclose(ops::silu(Tensor({-1000.0, 1000.0})), Tensor({0.0, 1000.0}));
}

TEST_CASE("hard_sigmoid is relu6(x + 3) / 6, as Keras 3") {
  check_allclose(ops::hard_sigmoid(f32({-4.f, -3.f, 0.f, 1.5f, 3.f, 4.f})), f32({0.f, 0.f, 0.5f, 0.75f, 1.f, 1.f}));
}

TEST_CASE("sigmoid is stable for large magnitudes") {
  check_allclose(ops::sigmoid(f32({-1000.f, -1.f, 0.f, 1.f, 1000.f})),
                 f32({0.f, 0.2689414214f, 0.5f, 0.7310585786f, 1.f}));
}

TEST_CASE("Activations on large float32 tensors agree with the float64 loops") {
  const UnaryFn fns[] = {ops::relu, ops::relu6, [](const Tensor& x) { return ops::leaky_relu(x); },
                         [](const Tensor& x) { return ops::leaky_relu(x, 0.01); },
                         [](const Tensor& x) { return ops::elu(x); }, [](const Tensor& x) { return ops::elu(x, 0.5); },
                         ops::selu, [](const Tensor& x) { return ops::gelu(x); },
                         [](const Tensor& x) { return ops::gelu(x, false); }, ops::softplus, ops::softsign, ops::silu,
                         ops::hard_sigmoid};
  for (size_t i = 0; i < std::size(fns); ++i) {
    CAPTURE(i);
    check_float32_against_float64(fns[i], wide_input(-30.0, 30.0));
    check_float32_against_float64(fns[i], wide_input(-4.0, 4.0, 1500));
  }
}

TEST_CASE("Activations keep float64 and take integers as float32") {
  const UnaryFn fns[] = {ops::relu, ops::relu6, [](const Tensor& x) { return ops::leaky_relu(x); },
                         [](const Tensor& x) { return ops::elu(x); }, ops::selu,
                         [](const Tensor& x) { return ops::gelu(x); }, ops::softplus, ops::softsign, ops::silu,
                         ops::swish, ops::hard_sigmoid, [](const Tensor& x) { return ops::softmax(x); },
                         [](const Tensor& x) { return ops::log_softmax(x); }};
  for (const auto& fn : fns) {
    CHECK(fn(Tensor({-1.0, 2.0})).dtype() == DType::float64);
    CHECK(fn(Tensor({-1, 2})).dtype() == DType::float32);
  }
  check_allclose(ops::relu(Tensor({-1, 2})), f32({0.f, 2.f}));
  check_allclose(ops::softsign(Tensor({-3, 1})), f32({-0.75f, 0.5f}));
}

TEST_CASE("Activations reject an undefined tensor") {
  CHECK_THROWS_WITH_AS(ops::relu(Tensor()), doctest::Contains("relu: received an undefined"), ValueError);
  CHECK_THROWS_WITH_AS(ops::softmax(Tensor()), doctest::Contains("softmax: received an undefined"), ValueError);
}

TEST_CASE("Activations run on float16 and bfloat16") {
  const Tensor x = f32({-2.f, -0.5f, 0.5f, 2.f});
  const Tensor half = x.astype(DType::float16), bf16 = x.astype(DType::bfloat16);
  CHECK(ops::gelu(half).dtype() == DType::float16);
  check_allclose(ops::gelu(half), ops::gelu(x), 1e-3, 1e-3);
  check_allclose(ops::softmax(bf16), ops::softmax(x), 1e-2, 1e-2);
}

TEST_CASE("softmax is [0.5, 0.5] for [1000, 1000] and stable for large logits") {
  check_allclose(ops::softmax(f32({1000.f, 1000.f})), f32({0.5f, 0.5f}));
  check_allclose(ops::softmax(f32({-1000.f, 0.f})), f32({0.f, 1.f}));
  check_allclose(ops::softmax(f32({1.f, 2.f, 3.f})), f32({0.0900305732f, 0.2447284711f, 0.6652409558f}));
}

TEST_CASE("log_softmax is x - logsumexp(x) and stable for large logits") {
  check_allclose(ops::log_softmax(f32({1.f, 2.f, 3.f})), f32({-2.4076059644f, -1.4076059644f, -0.4076059644f}));
  check_allclose(ops::log_softmax(f32({1000.f, 0.f})), f32({0.f, -1000.f}));
  // NOTE: 1e-4, not 1e-6: the CPU kernel forms x - (max + log(sum)), losing float32 digits at 1000.
  check_allclose(ops::log_softmax(f32({1000.f, 1000.f})), f32({-0.6931471806f, -0.6931471806f}), 1e-4, 1e-4);
}

TEST_CASE("softmax and log_softmax work on axes 0, 1 and -1 of a 3-D tensor") {
  const Tensor x = ops::reshape(ops::arange(24.0, DType::float64) * 0.25 - 3.0, {2, 3, 4});
  for (int64_t axis : {0, 1, 2, -1, -2, -3}) {
    CAPTURE(axis);
    const Tensor e = ops::exp(x);
    check_allclose(ops::softmax(x, axis), e / ops::sum(e, axis, true), 1e-12, 1e-12);
    check_allclose(ops::log_softmax(x, axis), x - ops::log(ops::sum(e, axis, true)), 1e-12, 1e-12);
    check_allclose(ops::sum(ops::softmax(x, axis), axis), ops::ones(ops::sum(x, axis).shape(), DType::float64));
  }
  check_allclose(ops::softmax(x), ops::softmax(x, 2));
}

TEST_CASE("softmax rejects an out-of-range axis") {
  const Tensor x = ops::zeros({2, 3, 4});
  CHECK_THROWS_WITH_AS(ops::softmax(x, 3), doctest::Contains("softmax: axis 3 is out of bounds"), ValueError);
  CHECK_THROWS_WITH_AS(ops::log_softmax(x, -4), doctest::Contains("log_softmax: axis -4 is out of bounds"),
                       ValueError);
}

TEST_CASE("Gradients of the piecewise activations match finite differences") {
  check_unary_gradient(ops::relu);
  check_unary_gradient(ops::relu6);
  check_unary_gradient([](const Tensor& x) { return ops::leaky_relu(x); });
  check_unary_gradient([](const Tensor& x) { return ops::leaky_relu(x, 0.05); });
  check_unary_gradient([](const Tensor& x) { return ops::elu(x); });
  check_unary_gradient([](const Tensor& x) { return ops::elu(x, 1.7); });
  check_unary_gradient(ops::selu);
  check_unary_gradient(ops::hard_sigmoid);
}

TEST_CASE("Gradients of the smooth activations match finite differences") {
  check_unary_gradient([](const Tensor& x) { return ops::gelu(x); });
  check_unary_gradient([](const Tensor& x) { return ops::gelu(x, false); });
  check_unary_gradient(ops::softplus);
  check_unary_gradient(ops::softsign);
  check_unary_gradient(ops::silu);
  check_unary_gradient(ops::swish);
}

TEST_CASE("Second derivatives of the smooth activations match finite differences") {
  // softmax's fused backward kernel serves plain backward passes; under an outer tape, the ops' rule.
  const Tensor w({0.3, -1.2, 0.7, 2.0, -0.4, 0.1, 0.9, -2.2, 1.5});
  check_second_gradient([&](const Tensor& x) { return ops::softmax(x) * w; });
  check_second_gradient([&](const Tensor& x) { return ops::square(ops::softmax(ops::reshape(x, {3, 3}), 0)); });
  check_unary_gradient([&](const Tensor& x) { return ops::softmax(ops::reshape(x, {3, 3}), 0) * ops::reshape(w, {3, 3}); });
  check_second_gradient([](const Tensor& x) { return ops::gelu(x); });
  check_second_gradient([](const Tensor& x) { return ops::gelu(x, false); });
  check_second_gradient(ops::softplus);
  check_second_gradient(ops::silu);
  check_second_gradient([](const Tensor& x) { return ops::elu(x); });
}

TEST_CASE("Gradients of softmax and log_softmax match finite differences on every axis") {
  const Tensor x = keras::testing::random_input({2, 3, 4}, 11, -2.0, 2.0);
  for (int64_t axis : {0, 1, -1}) {
    CAPTURE(axis);
    check_gradients([axis](const Tensors& xs) { return ops::softmax(xs[0], axis); }, {x});
    check_gradients([axis](const Tensors& xs) { return ops::log_softmax(xs[0], axis); }, {x});
  }
  check_gradients(
      [](const Tensors& xs) {
        GradientTape tape;
        tape.watch(xs[0]);
        const Tensor y = ops::sum(ops::square(ops::softmax(xs[0], 1)));
        return tape.gradient(y, xs[0]);
      },
      {x});
}

}  // TEST_SUITE
