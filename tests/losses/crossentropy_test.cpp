#include <keras/keras.h>
#include <keras/losses/losses.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

namespace {

bool all_finite(const Tensor& t) {
  for (double v : t.to_vector<double>()) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

Tensor gradient_of(const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
  GradientTape tape;
  tape.watch(x);
  return tape.gradient(f(x), x);
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("binary_crossentropy of probabilities matches Keras's docstring") {
  const Tensor t({0, 1, 0, 0}, {2, 2});
  const Tensor p({0.6f, 0.4f, 0.4f, 0.6f}, {2, 2});
  check_allclose(losses::binary_crossentropy(t, p), Tensor({0.916290731874155, 0.7135581778200728}), 1e-5);
}

TEST_CASE("BinaryCrossentropy from logits matches Keras's docstring in every reduction") {
  const Tensor t({0, 1, 0, 0}, {2, 2});
  const Tensor x({-18.6f, 0.51f, 2.94f, -12.8f}, {2, 2});
  CHECK(losses::BinaryCrossentropy({.from_logits = true})(t, x).item<float>() == doctest::Approx(0.8654).epsilon(1e-3));
  CHECK(losses::BinaryCrossentropy({.from_logits = true})(t, x, Tensor({0.8f, 0.2f})).item<float>() ==
        doctest::Approx(0.243).epsilon(1e-3));
  CHECK(losses::BinaryCrossentropy({.from_logits = true, .reduction = "sum"})(t, x).item<float>() ==
        doctest::Approx(1.730).epsilon(1e-3));
  check_allclose(losses::BinaryCrossentropy({.from_logits = true, .reduction = "none"})(t, x), Tensor({0.235f, 1.496f}),
                 2e-3);
  // One sample of four: the same mean.
  CHECK(losses::BinaryCrossentropy({.from_logits = true})(ops::reshape(t, {4}), ops::reshape(x, {4})).item<float>() ==
        doctest::Approx(0.8654).epsilon(1e-3));
}

TEST_CASE("binary_crossentropy agrees between logits and their sigmoid") {
  const Tensor t = random_input({3, 4}, 21, 0.0, 1.0);
  const Tensor x = random_input({3, 4}, 22, -4.0, 4.0);
  check_allclose(losses::binary_crossentropy(t, x, true), losses::binary_crossentropy(t, ops::sigmoid(x)), 1e-9);
  check_allclose(losses::binary_crossentropy(t, x, true, 0.2), losses::binary_crossentropy(t, ops::sigmoid(x), false, 0.2),
                 1e-9);
}

TEST_CASE("binary_crossentropy smooths labels towards 0.5") {
  // Labels 1, 0 with smoothing 0.2 become 0.9, 0.1.
  CHECK(losses::binary_crossentropy(Tensor({1.0, 0.0}), Tensor({0.8, 0.3}), false, 0.2).item<double>() ==
        doctest::Approx(0.4015888587018258));
}

TEST_CASE("binary_crossentropy clips probabilities to [epsilon, 1 - epsilon]") {
  const Tensor loss = losses::binary_crossentropy(Tensor({1.0, 0.0, 1.0}, {3, 1}), Tensor({0.0, 1.0, 1.0}, {3, 1}));
  check_allclose(loss, Tensor({-std::log(1e-7), -std::log(1e-7), -std::log1p(-1e-7)}), 1e-6);
}

TEST_CASE("binary_crossentropy from logits of +-1000 is exact, with gradient sigmoid(x) - y") {
  for (DType dtype : {DType::float32, DType::float64}) {
    CAPTURE(dtype_name(dtype));
    const Tensor t = Tensor({1.0, 0.0, 1.0, 0.0}, {1, 4}).astype(dtype);
    const Tensor x = Tensor({1000.0, -1000.0, -1000.0, 1000.0}, {1, 4}).astype(dtype);
    check_allclose(losses::binary_crossentropy(t, x, true), Tensor({500.0}), 1e-6);
    const Tensor g = gradient_of([&](const Tensor& v) { return losses::BinaryCrossentropy({.from_logits = true})(t, v); }, x);
    check_allclose(g, Tensor({0.0, 0.0, -0.25, 0.25}, {1, 4}), 1e-6);
  }
}

TEST_CASE("BinaryCrossentropy takes (batch,) labels for (batch, 1) predictions") {
  const Tensor t({1.0, 0.0});
  const Tensor p({0.8, 0.3}, {2, 1});
  CHECK(losses::BinaryCrossentropy()(t, p).item<double>() ==
        doctest::Approx((-std::log(0.8) - std::log(0.7)) / 2));
}

TEST_CASE("binary_crossentropy names both shapes when they differ") {
  CHECK_THROWS_WITH_AS(losses::binary_crossentropy(ops::zeros({4}), ops::zeros({4, 2})),
                       doctest::Contains("y_true.shape=(4,), y_pred.shape=(4, 2)"), ValueError);
}

TEST_CASE("binary_focal_crossentropy matches Keras's docstrings") {
  const Tensor t({0, 1, 0, 0}, {2, 2});
  const Tensor p({0.6, 0.4, 0.4, 0.6}, {2, 2});
  check_allclose(losses::binary_focal_crossentropy(t, p), Tensor({0.3298646634746958, 0.20579838163862715}));
  check_allclose(losses::binary_focal_crossentropy(t, p, true), Tensor({0.1649323317373479, 0.15434878622897036}));
  check_allclose(losses::binary_focal_crossentropy(t, p, false, 0.25, 1.5, false, 0.1),
                 Tensor({0.40606400893423855, 0.2727461926338833}));
  // gamma = 0 is plain binary crossentropy.
  check_allclose(losses::binary_focal_crossentropy(t, p, false, 0.25, 0.0), losses::binary_crossentropy(t, p));

  const Tensor t4({0.f, 1.f, 0.f, 0.f});
  const Tensor x4({-18.6f, 0.51f, 2.94f, -12.8f});
  using Options = losses::BinaryFocalCrossentropyOptions;
  auto focal = [&](Options o, const Tensor& yt, const Tensor& x, const Tensor& w = {}) {
    o.from_logits = true;
    return losses::BinaryFocalCrossentropy(o)(yt, x, w);
  };
  CHECK(focal({.gamma = 2}, t4, x4).item<float>() == doctest::Approx(0.691).epsilon(2e-3));
  CHECK(focal({.apply_class_balancing = true, .gamma = 2}, t4, x4).item<float>() == doctest::Approx(0.51).epsilon(5e-3));
  const Tensor t22 = ops::reshape(t4, {2, 2}), x22 = ops::reshape(x4, {2, 2});
  CHECK(focal({.gamma = 3}, t22, x22).item<float>() == doctest::Approx(0.647).epsilon(2e-3));
  CHECK(focal({.apply_class_balancing = true, .gamma = 3}, t22, x22).item<float>() == doctest::Approx(0.482).epsilon(2e-3));
  CHECK(focal({.gamma = 3}, t22, x22, Tensor({0.8f, 0.2f})).item<float>() == doctest::Approx(0.133).epsilon(5e-3));
  CHECK(focal({.gamma = 4, .reduction = "sum"}, t22, x22).item<float>() == doctest::Approx(1.222).epsilon(2e-3));
  check_allclose(focal({.gamma = 5, .reduction = "none"}, t22, x22), Tensor({0.0017f, 1.1561f}), 5e-3, 1e-4);
  check_allclose(focal({.apply_class_balancing = true, .gamma = 5, .reduction = "none"}, t22, x22),
                 Tensor({0.0004f, 0.8670f}), 5e-3, 1e-4);
}

TEST_CASE("binary_focal_crossentropy agrees between logits and their sigmoid") {
  const Tensor t = random_input({2, 5}, 23, 0.0, 1.0);
  const Tensor x = random_input({2, 5}, 24, -3.0, 3.0);
  check_allclose(losses::binary_focal_crossentropy(t, x, true, 0.25, 2.0, true),
                 losses::binary_focal_crossentropy(t, ops::sigmoid(x), true, 0.25, 2.0, false), 1e-12);
}

TEST_CASE("categorical_crossentropy matches Keras's docstring in every reduction") {
  const Tensor t({0, 1, 0, 0, 0, 1}, {2, 3});
  const Tensor p({0.05f, 0.95f, 0.f, 0.1f, 0.8f, 0.1f}, {2, 3});
  check_allclose(losses::categorical_crossentropy(t, p), Tensor({0.05129329438755058, 2.3025850929940455}), 1e-5);
  CHECK(losses::CategoricalCrossentropy()(t, p).item<float>() == doctest::Approx(1.177).epsilon(1e-3));
  CHECK(losses::CategoricalCrossentropy()(t, p, Tensor({0.3f, 0.7f})).item<float>() == doctest::Approx(0.814).epsilon(1e-3));
  CHECK(losses::CategoricalCrossentropy({.reduction = "sum"})(t, p).item<float>() == doctest::Approx(2.354).epsilon(1e-3));
}

TEST_CASE("categorical_crossentropy normalises probabilities and smooths labels") {
  CHECK(losses::categorical_crossentropy(Tensor({0.0, 1.0, 0.0}), Tensor({1.0, 2.0, 1.0})).item<double>() ==
        doctest::Approx(std::log(2.0)));
  // Label smoothing 0.3 over 3 classes: (0, 1, 0) becomes (0.1, 0.8, 0.1).
  CHECK(losses::categorical_crossentropy(Tensor({0.0, 1.0, 0.0}), Tensor({0.2, 0.7, 0.1}), false, 0.3).item<double>() ==
        doctest::Approx(0.6765422556938004));
  CHECK(losses::CategoricalCrossentropy({.label_smoothing = 0.3})(Tensor({0.0, 1.0, 0.0}, {1, 3}),
                                                                 Tensor({0.2, 0.7, 0.1}, {1, 3}))
            .item<double>() == doctest::Approx(0.6765422556938004));
}

TEST_CASE("categorical_crossentropy agrees between logits and their softmax, on any axis") {
  const Tensor t = ops::softmax(random_input({3, 4}, 25, -2.0, 2.0));  // soft labels
  const Tensor x = random_input({3, 4}, 26, -3.0, 3.0);
  check_allclose(losses::categorical_crossentropy(t, x, true), losses::categorical_crossentropy(t, ops::softmax(x)), 1e-9);
  const Tensor tt = ops::transpose(t), xt = ops::transpose(x);
  check_allclose(losses::categorical_crossentropy(tt, xt, true, 0.0, 0), losses::categorical_crossentropy(t, x, true));
  check_allclose(losses::categorical_crossentropy(tt, ops::softmax(xt, 0), false, 0.0, 0),
                 losses::categorical_crossentropy(t, x, true), 1e-9);
}

TEST_CASE("categorical_crossentropy from logits of +-1000 is exact, with gradient softmax - y") {
  for (DType dtype : {DType::float32, DType::float64}) {
    CAPTURE(dtype_name(dtype));
    const Tensor t = Tensor({0.0, 1.0, 0.0, 1.0, 0.0, 0.0}, {2, 3}).astype(dtype);
    const Tensor x = Tensor({1000.0, -1000.0, 0.0, 1000.0, -1000.0, 0.0}, {2, 3}).astype(dtype);
    check_allclose(losses::categorical_crossentropy(t, x, true), Tensor({2000.0, 0.0}), 1e-6, 1e-3);
    const Tensor g = gradient_of(
        [&](const Tensor& v) { return losses::CategoricalCrossentropy({.from_logits = true, .reduction = "sum"})(t, v); }, x);
    check_allclose(g, Tensor({1.0, -1.0, 0.0, 0.0, 0.0, 0.0}, {2, 3}), 1e-6);
  }
}

TEST_CASE("categorical_crossentropy names both shapes when y_true is not one-hot") {
  CHECK_THROWS_WITH_AS(losses::categorical_crossentropy(ops::zeros({4}), ops::zeros({4, 3})),
                       doctest::Contains("y_true.shape=(4,), y_pred.shape=(4, 3)"), ValueError);
  CHECK_THROWS_WITH_AS(losses::CategoricalCrossentropy()(ops::zeros({4}), ops::zeros({4, 3})),
                       doctest::Contains("y_true.shape=(4,), y_pred.shape=(4, 3)"), ValueError);
}

TEST_CASE("sparse_categorical_crossentropy matches Keras's docstring for int, float and (batch, 1) labels") {
  const Tensor p({0.05f, 0.95f, 0.f, 0.1f, 0.8f, 0.1f}, {2, 3});
  const Tensor expected({0.05129329438755058, 2.3025850929940455});
  check_allclose(losses::sparse_categorical_crossentropy(Tensor({1, 2}), p), expected, 1e-5);
  check_allclose(losses::sparse_categorical_crossentropy(Tensor({int64_t{1}, int64_t{2}}), p), expected, 1e-5);
  check_allclose(losses::sparse_categorical_crossentropy(Tensor({1.f, 2.f}), p), expected, 1e-5);
  check_allclose(losses::sparse_categorical_crossentropy(Tensor({1, 2}, {2, 1}), p), expected, 1e-5);
  const losses::SparseCategoricalCrossentropy scce;
  CHECK(scce(Tensor({1, 2}), p).item<float>() == doctest::Approx(1.177).epsilon(1e-3));
  CHECK(scce(Tensor({1, 2}, {2, 1}), p, Tensor({0.3f, 0.7f})).item<float>() == doctest::Approx(0.814).epsilon(1e-3));
  CHECK(losses::SparseCategoricalCrossentropy({.reduction = "sum"})(Tensor({1.f, 2.f}), p).item<float>() ==
        doctest::Approx(2.354).epsilon(1e-3));
}

TEST_CASE("sparse_categorical_crossentropy equals categorical_crossentropy of the one-hot labels") {
  const Tensor labels({3, 0, 1, 3});
  const Tensor x = random_input({4, 5}, 27, -3.0, 3.0);
  const Tensor one_hot = ops::one_hot(labels, 5, -1, DType::float64);
  check_allclose(losses::sparse_categorical_crossentropy(labels, x, true), losses::categorical_crossentropy(one_hot, x, true));
  check_allclose(losses::sparse_categorical_crossentropy(labels, ops::softmax(x)),
                 losses::categorical_crossentropy(one_hot, x, true), 1e-9);
  // Classes on axis 0: labels index the rows of each column.
  check_allclose(losses::sparse_categorical_crossentropy(labels, ops::transpose(x), true, std::nullopt, 0),
                 losses::categorical_crossentropy(one_hot, x, true));
}

TEST_CASE("sparse_categorical_crossentropy from logits of +-1000 is exact") {
  const Tensor x({1000.f, -1000.f, 0.f, -1000.f, 1000.f, 0.f}, {2, 3});
  check_allclose(losses::sparse_categorical_crossentropy(Tensor({1, 1}), x, true), Tensor({2000.f, 0.f}), 1e-6, 1e-3);
  const Tensor g = gradient_of(
      [&](const Tensor& v) { return losses::SparseCategoricalCrossentropy({.from_logits = true})(Tensor({1, 1}), v); }, x);
  check_allclose(g, Tensor({0.5f, -0.5f, 0.f, 0.f, 0.f, 0.f}, {2, 3}), 1e-6);
}

TEST_CASE("ignore_class gives those samples zero loss and leaves them out of the mean") {
  const Tensor x({1.0, 2.0, 0.5, 0.3, -1.0, 2.0, -0.5, 0.25, 1.5}, {3, 3});
  const Tensor labels({1, -1, 2});
  const double l0 = 0.4643687841079449, l2 = 0.35195186380280163;
  check_allclose(losses::sparse_categorical_crossentropy(labels, x, true, -1), Tensor({l0, 0.0, l2}));
  check_allclose(losses::sparse_categorical_crossentropy(labels, ops::softmax(x), false, -1), Tensor({l0, 0.0, l2}), 1e-9);
  using Options = losses::SparseCategoricalCrossentropyOptions;
  CHECK(losses::SparseCategoricalCrossentropy(Options{.from_logits = true, .ignore_class = -1})(labels, x)
            .item<double>() == doctest::Approx((l0 + l2) / 2));
  CHECK(losses::SparseCategoricalCrossentropy(Options{.from_logits = true, .ignore_class = -1, .reduction = "sum"})(
            labels, x).item<double>() == doctest::Approx(l0 + l2));
  const Tensor w({2.0, 5.0, 1.0});
  CHECK(losses::SparseCategoricalCrossentropy(Options{.from_logits = true, .ignore_class = -1})(labels, x, w)
            .item<double>() == doctest::Approx((2 * l0 + l2) / 2));
  CHECK(losses::SparseCategoricalCrossentropy(
            Options{.from_logits = true, .ignore_class = -1, .reduction = "mean_with_sample_weight"})(labels, x, w)
            .item<double>() == doctest::Approx((2 * l0 + l2) / 3));
  // Float labels of shape (batch, 1) and a class inside the range (255 -> 1 here) work the same way.
  const Tensor float_labels({1.f, 1.f, 2.f}, {3, 1});
  CHECK(losses::SparseCategoricalCrossentropy(Options{.from_logits = true, .ignore_class = 1})(float_labels, x)
            .item<double>() == doctest::Approx(l2).epsilon(1e-6));
}

TEST_CASE("ignore_class gives ignored samples zero, finite gradients") {
  const Tensor labels({1, -1, 2});
  using Options = losses::SparseCategoricalCrossentropyOptions;
  for (bool from_logits : {true, false}) {
    CAPTURE(from_logits);
    const losses::SparseCategoricalCrossentropy scce(Options{.from_logits = from_logits, .ignore_class = -1});
    const Tensor x = from_logits ? random_input({3, 3}, 28) : random_input({3, 3}, 28, 0.1, 1.0);
    const auto g = gradient_of([&](const Tensor& v) { return scce(labels, v); }, x).to_vector<double>();
    for (double v : g) CHECK(std::isfinite(v));
    CHECK(g[3] == 0.0);
    CHECK(g[4] == 0.0);
    CHECK(g[5] == 0.0);
    check_gradients([&](const Tensors& v) { return scce(labels, v[0]); }, {x});
  }
}

TEST_CASE("sparse_categorical_crossentropy rejects labels out of range and mismatched shapes") {
  const Tensor p = ops::full({2, 3}, 1.0 / 3);
  CHECK_THROWS_WITH_AS(losses::sparse_categorical_crossentropy(Tensor({1, 3}), p),
                       doctest::Contains("label value of 3 which is outside the valid range of [0, 3)"), ValueError);
  CHECK_THROWS_WITH_AS(losses::sparse_categorical_crossentropy(Tensor({-1, 0}), p),
                       doctest::Contains("label value of -1"), ValueError);
  CHECK_THROWS_WITH_AS(losses::sparse_categorical_crossentropy(ops::zeros({2, 3}), p),
                       doctest::Contains("y_true.shape=(2, 3), y_pred.shape=(2, 3)"), ValueError);
  CHECK_THROWS_WITH_AS(losses::SparseCategoricalCrossentropy()(Tensor({0, 1, 2}), p),
                       doctest::Contains("y_true.shape=(3,), y_pred.shape=(2, 3)"), ValueError);
}

TEST_CASE("Crossentropies have correct gradients") {
  const Tensor soft = random_input({3, 4}, 31, 0.0, 1.0);
  const Tensor probs = random_input({3, 4}, 32, 0.05, 0.95);
  const Tensor logits = random_input({3, 4}, 33, -3.0, 3.0);
  const Tensor labels({2, 0, 3});
  using BCE = losses::BinaryCrossentropyOptions;
  using BFCE = losses::BinaryFocalCrossentropyOptions;
  using CCE = losses::CategoricalCrossentropyOptions;
  check_gradients([](const Tensors& x) { return losses::BinaryCrossentropy()(x[0], x[1]); }, {soft, probs});
  check_gradients([](const Tensors& x) { return losses::BinaryCrossentropy(BCE{.from_logits = true, .label_smoothing = 0.1})(x[0], x[1]); },
                  {soft, logits});
  check_gradients([](const Tensors& x) { return losses::BinaryFocalCrossentropy(BFCE{.apply_class_balancing = true})(x[0], x[1]); },
                  {soft, probs});
  check_gradients([](const Tensors& x) { return losses::BinaryFocalCrossentropy(BFCE{.gamma = 3, .from_logits = true})(x[0], x[1]); },
                  {soft, logits});
  check_gradients([](const Tensors& x) { return losses::CategoricalCrossentropy()(x[0], x[1]); }, {soft, probs});
  check_gradients([](const Tensors& x) { return losses::CategoricalCrossentropy(CCE{.from_logits = true, .label_smoothing = 0.2})(x[0], x[1]); },
                  {soft, logits});
  check_gradients([&](const Tensors& x) { return losses::SparseCategoricalCrossentropy()(labels, x[0]); }, {probs});
  check_gradients([&](const Tensors& x) { return losses::SparseCategoricalCrossentropy({.from_logits = true})(labels, x[0]); },
                  {logits});
}

TEST_CASE("sparse_categorical_crossentropy's fused kernel agrees with the ops, clipped rows included") {
  // Row 1 has a label probability under epsilon (clipped: no gradient), row 2 one that sums to 2.
  const Tensor labels({2, 0, 3});
  for (DType dtype : {DType::float32, DType::float64}) {
    CAPTURE(dtype_name(dtype));
    const Tensor probs = Tensor({0.1, 0.2, 0.3, 0.4, 1e-9, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 0.5}, {3, 4}).astype(dtype);
    const Tensor logits = Tensor({1.0, -2.0, 0.5, 3.0, -40.0, 2.0, 1.0, 0.0, 0.3, 0.2, 0.1, 0.0}, {3, 4}).astype(dtype);
    for (bool from_logits : {false, true}) {
      CAPTURE(from_logits);
      const Tensor x = from_logits ? logits : probs;
      auto reference = [&](const Tensor& v) {
        const Tensor lp = from_logits ? ops::log_softmax(v) : ops::log(ops::clip(v / ops::sum(v, -1, true), 1e-7, 1 - 1e-7));
        return -ops::squeeze(ops::take_along_axis(lp, ops::expand_dims(labels.astype(DType::int64), -1), -1), std::vector<int64_t>{-1});
      };
      const double tol = dtype == DType::float32 ? 1e-5 : 1e-12;
      check_allclose(losses::sparse_categorical_crossentropy(labels, x, from_logits), reference(x), tol, tol);
      const Tensor weights = Tensor({0.5, -1.0, 2.0}).astype(dtype);
      auto weighted = [&](const std::function<Tensor(const Tensor&)>& f) {
        return gradient_of([&](const Tensor& v) { return ops::sum(f(v) * weights); }, x);
      };
      const Tensor fused = weighted([&](const Tensor& v) { return losses::sparse_categorical_crossentropy(labels, v, from_logits); });
      check_allclose(fused, weighted(reference), tol, tol);
      if (!from_logits) {
        for (int64_t j = 0; j < 4; ++j) CHECK(fused.to_vector<double>()[static_cast<size_t>(4 + j)] == 0.0);
      }
    }
  }
}

TEST_CASE("sparse_categorical_crossentropy has correct second derivatives") {
  // An outer tape records the backward pass, which then takes the ops' path, not the fused kernel.
  const Tensor labels({2, 0, 3});
  const Tensor probs = random_input({3, 4}, 34, 0.05, 0.95);
  const Tensor logits = random_input({3, 4}, 35, -3.0, 3.0);
  for (bool from_logits : {false, true}) {
    CAPTURE(from_logits);
    check_gradients(
        [&](const Tensors& x) {
          GradientTape tape;
          tape.watch(x[0]);
          const Tensor loss = ops::sum(losses::sparse_categorical_crossentropy(labels, x[0], from_logits));
          return ops::sum(ops::square(tape.gradient(loss, x[0])));
        },
        {from_logits ? logits : probs});
  }
}

TEST_CASE("Crossentropy losses are finite for every probability in [0, 1]") {
  const Tensor t({0.0, 1.0, 1.0, 0.0}, {2, 2});
  const Tensor p({0.0, 0.0, 1.0, 1.0}, {2, 2});
  CHECK(all_finite(losses::binary_crossentropy(t, p)));
  CHECK(all_finite(losses::binary_focal_crossentropy(t, p)));
  // Each row sums to 1 with the true class at probability 0: the clip keeps -log(epsilon).
  const Tensor wrong({1.0, 0.0, 0.0, 1.0}, {2, 2});
  check_allclose(losses::categorical_crossentropy(t, wrong), Tensor({-std::log(1e-7), -std::log(1e-7)}), 1e-6);
  check_allclose(losses::sparse_categorical_crossentropy(Tensor({1, 0}), wrong), Tensor({-std::log(1e-7), -std::log(1e-7)}),
                 1e-6);
}

}  // TEST_SUITE
