#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

using namespace keras;
using keras::ops::Axes;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

namespace {

std::vector<int64_t> all_but(int64_t rank, int64_t axis) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < rank; ++i) {
    if (i != axis) out.push_back(i);
  }
  return out;
}

Shape channel_shape(int64_t rank, int64_t axis, int64_t channels) {
  std::vector<int64_t> d(static_cast<size_t>(rank), 1);
  d[static_cast<size_t>(axis)] = channels;
  return Shape(d);
}

// Training-mode batch normalization written with plain ops: the reference for the fused op.
Tensor reference_batch_norm(const Tensor& x, int64_t axis, const Tensor& offset, const Tensor& scale, double eps) {
  const auto axes = all_but(x.rank(), axis);
  const Tensor m = ops::mean(x, Axes(axes), true);
  const Tensor v = ops::mean(ops::square(x - m), Axes(axes), true);
  Tensor y = (x - m) / ops::sqrt(v + eps);
  const Shape b = channel_shape(x.rank(), axis, x.shape()[axis]);
  if (scale.defined()) y = y * ops::reshape(scale, b);
  if (offset.defined()) y = y + ops::reshape(offset, b);
  return y;
}

Tensor reference_layer_norm(const Tensor& x, const std::vector<int64_t>& axes, const Tensor& gamma, const Tensor& beta,
                            double eps) {
  const Tensor m = ops::mean(x, Axes(axes), true);
  const Tensor v = ops::mean(ops::square(x - m), Axes(axes), true);
  Tensor y = (x - m) / ops::sqrt(v + eps);
  if (gamma.defined()) y = y * gamma;
  if (beta.defined()) y = y + beta;
  return y;
}

// d/d(inputs) of sum(fn(inputs) * w), for fixed random w.
Tensors gradients_of(const std::function<Tensor(const Tensors&)>& fn, const Tensors& inputs) {
  GradientTape tape;
  tape.watch(inputs);
  const Tensor y = fn(inputs);
  const Tensor w = random::uniform(y.shape(), {.minval = 0.5, .maxval = 1.5, .dtype = y.dtype(), .seed = 5});
  return tape.gradient(ops::sum(y * w), inputs);
}

// The gradient of sum(d/dx sum(fn(x) * w1) * w2) in x: a second derivative through the backward rule.
Tensor second_derivative(const std::function<Tensor(const Tensor&)>& fn, const Tensor& x) {
  GradientTape outer;
  outer.watch(x);
  Tensor dx;
  {
    GradientTape inner;
    inner.watch(x);
    const Tensor y = fn(x);
    const Tensor w1 = random::uniform(y.shape(), {.minval = 0.5, .maxval = 1.5, .dtype = y.dtype(), .seed = 8});
    dx = inner.gradient(ops::sum(y * w1), x);
  }
  const Tensor w2 = random::uniform(x.shape(), {.minval = -1.0, .maxval = 1.0, .dtype = x.dtype(), .seed = 9});
  return outer.gradient(ops::sum(dx * w2), x);
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("moments gives the mean and biased variance, as Keras's example") {
  auto [mean, variance] = ops::moments(Tensor({0.f, 1.f, 2.f, 3.f, 100.f}), {0});
  CHECK(mean.shape() == Shape{});
  CHECK(mean.item<float>() == doctest::Approx(21.2));
  CHECK(variance.item<float>() == doctest::Approx(1553.36));
}

TEST_CASE("moments over several axes, with and without keepdims") {
  const Tensor x = ops::reshape(ops::arange(12.0, DType::float32), {2, 3, 2});
  auto [m, v] = ops::moments(x, {0, 2});
  // x[i, j, k] = 6 i + 2 j + k: over i and k the mean is 3.5 + 2 j, the variance (9 + 9 + 0.25 * 4) / 4 = 9.25.
  check_allclose(m, Tensor({3.5f, 5.5f, 7.5f}));
  check_allclose(v, Tensor({9.25f, 9.25f, 9.25f}));
  auto [mk, vk] = ops::moments(x, {0, 2}, /*keepdims=*/true);
  CHECK(mk.shape() == Shape{1, 3, 1});
  CHECK(vk.shape() == Shape{1, 3, 1});
  auto [mi, vi] = ops::moments(ops::reshape(ops::arange(4.0, DType::int32), {2, 2}), {1});
  CHECK(mi.dtype() == DType::float32);  // integers are averaged as float32, as Keras
  check_allclose(vi, Tensor({0.25f, 0.25f}));
}

TEST_CASE("moments computes float16 statistics in float32 and returns float16") {
  const Tensor x = ops::cast(Tensor({300.f, 310.f, 320.f, 330.f}), DType::float16);
  auto [m, v] = ops::moments(x, {0});
  CHECK(m.dtype() == DType::float16);
  CHECK(static_cast<float>(m.item<float16_t>()) == doctest::Approx(315.0));
  CHECK(static_cast<float>(v.item<float16_t>()) == doctest::Approx(125.0));
}

TEST_CASE("moments rejects synchronized=True and bad axes") {
  const Tensor x = ops::ones({2, 3});
  CHECK_THROWS_AS(ops::moments(x, {0}, false, /*synchronized=*/true), NotImplementedError);
  CHECK_THROWS_AS(ops::moments(x, {2}), ValueError);
  CHECK_THROWS_AS(ops::moments(Tensor(), {0}), ValueError);
}

TEST_CASE("moments is differentiable") {
  check_gradients([](const Tensors& a) {
    auto [m, v] = ops::moments(a[0], {0, 2});
    return m * 2.0 + v;
  }, {random_input({3, 2, 4}, 1)});
}

TEST_CASE("batch_normalization matches Keras's example") {
  const Tensor x({0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f}, {3, 3});
  const Tensor mean({0.4f, 0.5f, 0.6f});
  const Tensor variance({0.67f, 0.67f, 0.67f});
  const Tensor y = ops::batch_normalization(x, mean, variance, -1);
  const float a = 0.3f / std::sqrt(0.671f);  // 0.36624
  check_allclose(y, Tensor({-a, -a, -a, 0.f, 0.f, 0.f, a, a, a}, {3, 3}), 1e-5, 1e-6);
  CHECK(a == doctest::Approx(0.36624).epsilon(1e-4));
}

TEST_CASE("batch_normalization applies offset and scale along a channels-first axis") {
  // (1, 2, 2): channel 0 holds {1, 3}, channel 1 holds {2, 6}.
  const Tensor x({1.f, 3.f, 2.f, 6.f}, {1, 2, 2});
  const Tensor y = ops::batch_normalization(x, Tensor({2.f, 4.f}), Tensor({1.f, 4.f}), 1, Tensor({10.f, 20.f}),
                                            Tensor({2.f, 3.f}), 0.0);
  check_allclose(y, Tensor({8.f, 12.f, 17.f, 23.f}, {1, 2, 2}));
}

TEST_CASE("batch_normalization's kernel path (no tape) equals its ops path (under a tape)") {
  const Tensor x = random::uniform({2, 3, 4, 5}, {.seed = 3});
  const Tensor m = random::uniform({3}, {.seed = 4});
  const Tensor v = random::uniform({3}, {.minval = 0.5, .maxval = 2.0, .seed = 5});
  const Tensor o({0.1f, 0.2f, 0.3f}), s({1.5f, 0.5f, -1.f});
  for (int64_t axis : {1, -3}) {
    const Tensor fast = ops::batch_normalization(x, m, v, axis, o, s);
    Tensor slow;
    {
      GradientTape tape;
      slow = ops::batch_normalization(x, m, v, axis, o, s);
    }
    check_allclose(fast, slow, 1e-5, 1e-6);
  }
}

TEST_CASE("batch_normalization checks its vectors against x.shape[axis]") {
  const Tensor x = ops::ones({2, 3});
  CHECK_THROWS_WITH_AS(ops::batch_normalization(x, ops::zeros({4}), ops::ones({3}), -1),
                       doctest::Contains("`mean` must be a vector of length x.shape[axis]. Expected: (3,). Received: (4,)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::batch_normalization(x, ops::zeros({3}), ops::ones({3}), -1, Tensor(), ops::ones({2})),
                       doctest::Contains("`scale`"), ValueError);
  CHECK_THROWS_AS(ops::batch_normalization(x, ops::zeros({2}), ops::ones({2}), 2), ValueError);
}

TEST_CASE("batch_normalization is differentiable in x, mean, variance, offset and scale") {
  check_gradients([](const Tensors& a) { return ops::batch_normalization(a[0], a[1], a[2], 1, a[3], a[4]); },
                  {random_input({2, 3, 2}, 1), random_input({3}, 2), random_input({3}, 3, 0.5, 1.5),
                   random_input({3}, 4), random_input({3}, 5)});
}

TEST_CASE("fused_batch_normalization equals moments + batch_normalization, channels last and first") {
  for (int64_t axis : {-1, 1}) {
    const Tensor x = random::uniform({4, 3, 5, 6}, {.minval = -2.0, .maxval = 3.0, .seed = 7});
    const int64_t c = x.shape()[axis];
    const Tensor o = random::uniform({c}, {.seed = 8}), s = random::uniform({c}, {.seed = 9});
    const auto fused = ops::fused_batch_normalization(x, axis, o, s, 1e-3);
    const int64_t a = axis < 0 ? axis + 4 : axis;
    check_allclose(fused.outputs, reference_batch_norm(x, a, o, s, 1e-3), 1e-4, 1e-5);
    auto [m, v] = ops::moments(x, Axes(all_but(4, a)));
    check_allclose(fused.mean, m, 1e-5, 1e-6);
    check_allclose(fused.variance, v, 1e-4, 1e-6);
    // Without scale and offset too.
    check_allclose(ops::fused_batch_normalization(x, axis).outputs, reference_batch_norm(x, a, {}, {}, 1e-3), 1e-4, 1e-5);
  }
  // A middle axis of a 3-D tensor and the first axis.
  const Tensor x3 = random::uniform({2, 3, 4}, {.seed = 10});
  check_allclose(ops::fused_batch_normalization(x3, 1).outputs, reference_batch_norm(x3, 1, {}, {}, 1e-3), 1e-4, 1e-5);
  check_allclose(ops::fused_batch_normalization(x3, 0).outputs, reference_batch_norm(x3, 0, {}, {}, 1e-3), 1e-4, 1e-5);
  const Tensor col = random::uniform({3, 1}, {.seed = 11});
  check_allclose(ops::fused_batch_normalization(col, 0).outputs, ops::zeros({3, 1}), 0, 1e-6);
  // float64 runs the reference loops.
  const Tensor x64 = random_input({5, 4}, 3);
  check_allclose(ops::fused_batch_normalization(x64, -1, {}, {}, 1e-5).outputs,
                 reference_batch_norm(x64, 1, {}, {}, 1e-5), 1e-12, 1e-12);
}

TEST_CASE("fused_batch_normalization's gradient matches the gradient of the same math in plain ops") {
  for (int64_t axis : {3, 1}) {
    const Tensor x = random::uniform({4, 3, 5, 6}, {.minval = -2.0, .maxval = 3.0, .seed = 11});
    const int64_t c = x.shape()[axis];
    const Tensor o = random::uniform({c}, {.seed = 12}), s = random::uniform({c}, {.minval = 0.5, .maxval = 2.0, .seed = 13});
    const Tensors fused = gradients_of([&](const Tensors& a) {
      return ops::fused_batch_normalization(a[0], axis, a[1], a[2]).outputs;
    }, {x, o, s});
    const Tensors plain = gradients_of([&](const Tensors& a) { return reference_batch_norm(a[0], axis, a[1], a[2], 1e-3); },
                                       {x, o, s});
    for (size_t i = 0; i < 3; ++i) check_allclose(fused[i], plain[i], 1e-3, 1e-4);
  }
}

TEST_CASE("fused_batch_normalization's float64 gradient passes finite differences") {
  check_gradients([](const Tensors& a) { return ops::fused_batch_normalization(a[0], 1, a[1], a[2]).outputs; },
                  {random_input({3, 2, 4}, 1), random_input({2}, 2), random_input({2}, 3, 0.5, 1.5)});
  check_gradients([](const Tensors& a) { return ops::fused_batch_normalization(a[0], -1).outputs; },
                  {random_input({5, 3}, 4)});
}

TEST_CASE("fused_batch_normalization has a second derivative equal to the plain ops'") {
  const Tensor x = random_input({4, 3}, 21);
  const Tensor s = random_input({3}, 22, 0.5, 1.5);
  const Tensor fused = second_derivative([&](const Tensor& v) {
    return ops::fused_batch_normalization(v, -1, {}, s).outputs;
  }, x);
  const Tensor plain = second_derivative([&](const Tensor& v) { return reference_batch_norm(v, 1, {}, s, 1e-3); }, x);
  check_allclose(fused, plain, 1e-8, 1e-9);
}

TEST_CASE("fused_batch_normalization runs float16 in float32") {
  const Tensor x = random::uniform({6, 4}, {.seed = 2});
  const auto half = ops::fused_batch_normalization(ops::cast(x, DType::float16), -1);
  CHECK(half.outputs.dtype() == DType::float16);
  check_allclose(half.outputs, reference_batch_norm(x, 1, {}, {}, 1e-3), 1e-2, 1e-2);
}

TEST_CASE("layer_normalization over the last axis matches the plain ops, with gamma and beta") {
  const Tensor x = random::uniform({4, 6}, {.minval = -2.0, .maxval = 2.0, .seed = 3});
  const Tensor g = random::uniform({6}, {.seed = 4}), b = random::uniform({6}, {.seed = 5});
  check_allclose(ops::layer_normalization(x, g, b, -1, 1e-3), reference_layer_norm(x, {1}, g, b, 1e-3), 1e-4, 1e-5);
  check_allclose(ops::layer_normalization(x), reference_layer_norm(x, {1}, {}, {}, 1e-7), 1e-4, 1e-5);
  // Each row ends with mean 0 and variance ~1.
  auto [m, v] = ops::moments(ops::layer_normalization(x), {1});
  check_allclose(m, ops::zeros({4}), 0, 1e-5);
  check_allclose(v, ops::ones({4}), 1e-4, 0);
}

TEST_CASE("layer_normalization over trailing and non-trailing axes") {
  const Tensor x = random::uniform({2, 3, 4}, {.minval = -2.0, .maxval = 2.0, .seed = 6});
  const Tensor g = random::uniform({3, 4}, {.seed = 7}), b = random::uniform({3, 4}, {.seed = 8});
  check_allclose(ops::layer_normalization(x, g, b, {1, 2}, 1e-3), reference_layer_norm(x, {1, 2}, g, b, 1e-3), 1e-4,
                 1e-5);
  const Tensor g0 = random::uniform({2}, {.seed = 9});
  check_allclose(ops::layer_normalization(x, g0, {}, 0, 1e-3),
                 reference_layer_norm(x, {0}, ops::reshape(g0, {2, 1, 1}), {}, 1e-3), 1e-4, 1e-5);
  CHECK_THROWS_WITH_AS(ops::layer_normalization(x, ops::ones({5}), {}, {1, 2}), doctest::Contains("gamma"), ValueError);
}

TEST_CASE("layer_normalization with rms_scaling divides by the root of the variance, as Keras") {
  const Tensor x({1.f, 2.f, 3.f, 5.f}, {1, 4});  // mean 2.75, variance 2.1875
  const Tensor y = ops::layer_normalization(x, Tensor({2.f, 2.f, 2.f, 2.f}), Tensor({9.f, 9.f, 9.f, 9.f}), -1, 0.0,
                                            /*rms_scaling=*/true);
  const float k = 2.f / std::sqrt(2.1875f);
  check_allclose(y, Tensor({k, 2 * k, 3 * k, 5 * k}, {1, 4}), 1e-5, 1e-6);
}

TEST_CASE("layer_normalization's fused gradient matches the plain ops' and finite differences") {
  const Tensor x = random::uniform({5, 3, 4}, {.minval = -2.0, .maxval = 2.0, .seed = 31});
  const Tensor g = random::uniform({3, 4}, {.minval = 0.5, .maxval = 1.5, .seed = 32});
  const Tensor b = random::uniform({3, 4}, {.seed = 33});
  const Tensors fused = gradients_of([](const Tensors& a) { return ops::layer_normalization(a[0], a[1], a[2], {1, 2}); },
                                     {x, g, b});
  const Tensors plain = gradients_of([](const Tensors& a) { return reference_layer_norm(a[0], {1, 2}, a[1], a[2], 1e-7); },
                                     {x, g, b});
  for (size_t i = 0; i < 3; ++i) check_allclose(fused[i], plain[i], 1e-3, 1e-4);
  check_gradients([](const Tensors& a) { return ops::layer_normalization(a[0], a[1], a[2], -1, 1e-3); },
                  {random_input({3, 4}, 1), random_input({4}, 2), random_input({4}, 3)});
  check_gradients([](const Tensors& a) { return ops::layer_normalization(a[0], a[1], {}, 0, 1e-3, true); },
                  {random_input({3, 4}, 4), random_input({3}, 5)});
}

TEST_CASE("layer_normalization has a second derivative equal to the plain ops'") {
  const Tensor x = random_input({3, 5}, 41);
  const Tensor g = random_input({5}, 42, 0.5, 1.5);
  const Tensor fused = second_derivative([&](const Tensor& v) { return ops::layer_normalization(v, g, {}, -1, 1e-3); }, x);
  const Tensor plain = second_derivative([&](const Tensor& v) { return reference_layer_norm(v, {1}, g, {}, 1e-3); }, x);
  check_allclose(fused, plain, 1e-8, 1e-9);
}

}  // TEST_SUITE
