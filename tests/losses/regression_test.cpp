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
// Per-row errors y_pred - y_true: (0.5, 0, -1) and (0, 2, -1).
const Tensor kTrue({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {2, 3});
const Tensor kRegressionPred({1.5, 2.0, 2.0, 4.0, 7.0, 5.0}, {2, 3});
}  // namespace

TEST_SUITE("training") {

TEST_CASE("mean_squared_error and mean_absolute_error average over the last axis") {
  check_allclose(losses::mean_squared_error(kTrue, kRegressionPred), Tensor({1.25 / 3, 5.0 / 3}));
  check_allclose(losses::mean_absolute_error(kTrue, kRegressionPred), Tensor({0.5, 1.0}));
  CHECK(losses::MeanSquaredError()(kTrue, kRegressionPred).item<double>() == doctest::Approx((1.25 / 3 + 5.0 / 3) / 2));
  CHECK(losses::MeanAbsoluteError({.reduction = "sum"})(kTrue, kRegressionPred).item<double>() == doctest::Approx(1.5));
}

TEST_CASE("mean_absolute_percentage_error divides by |y_true| floored at epsilon") {
  check_allclose(losses::mean_absolute_percentage_error(kTrue, kRegressionPred), Tensor({27.777777777777775, 18.88888888888889}));
  // y_true = 0: the divisor is epsilon, as Keras.
  check_allclose(losses::mean_absolute_percentage_error(Tensor({0.0}, {1, 1}), Tensor({1e-7}, {1, 1})), Tensor({100.0}));
}

TEST_CASE("mean_squared_logarithmic_error compares log(1 + y) floored at epsilon") {
  check_allclose(losses::mean_squared_logarithmic_error(kTrue, kRegressionPred), Tensor({0.04418467310108968, 0.035507802300452515}));
  // Negative values count as epsilon: log(1 + 1e-7) on both sides.
  CHECK(losses::mean_squared_logarithmic_error(Tensor({-3.0}, {1, 1}), Tensor({-5.0}, {1, 1})).item<double>() == 0.0);
}

TEST_CASE("huber is quadratic up to delta and linear beyond") {
  check_allclose(losses::huber(kTrue, kRegressionPred), Tensor({0.625 / 3, 2.0 / 3}));
  check_allclose(losses::huber(kTrue, kRegressionPred, 1.5), Tensor({0.625 / 3, 2.375 / 3}));
  // Keras's docstring example: 0.155.
  const Tensor t({0.0, 1.0, 0.0, 0.0}, {2, 2}), p({0.6, 0.4, 0.4, 0.6}, {2, 2});
  CHECK(losses::Huber()(t, p).item<double>() == doctest::Approx(0.155));
  CHECK(losses::Huber({.delta = 0.5})(t, p).item<double>() == doctest::Approx((0.175 + 0.175 + 0.08 + 0.175) / 4));
}

TEST_CASE("log_cosh averages log(cosh(error)) and stays finite for huge errors") {
  check_allclose(losses::log_cosh(kTrue, kRegressionPred), Tensor({0.18463177914710152, 0.5862611926136305}));
  check_allclose(losses::log_cosh(Tensor({0.0, 0.0}, {1, 2}), Tensor({1000.0, -1000.0}, {1, 2})),
                 Tensor({1000.0 - std::log(2.0)}));
  check_allclose(losses::log_cosh(Tensor({0.f}, {1, 1}), Tensor({1000.f}, {1, 1})), Tensor({1000.f - std::log(2.f)}));
  // Keras's docstring example: 0.108.
  CHECK(losses::LogCosh()(Tensor({0.0, 1.0, 0.0, 0.0}, {2, 2}), Tensor({1.0, 1.0, 0.0, 0.0}, {2, 2})).item<double>() ==
        doctest::Approx(0.108).epsilon(0.01));
}

TEST_CASE("cosine_similarity is -1 for parallel vectors and 0 for a zero vector") {
  const Tensor t({0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0}, {4, 2});
  const Tensor p({1.0, 0.0, 1.0, 1.0, -1.0, -1.0, 3.0, 4.0}, {4, 2});
  check_allclose(losses::cosine_similarity(t, p), Tensor({0.0, -1.0, 1.0, -0.6}));
  // axis 0 compares columns: (0, 1, 1, 1) with (1, 1, -1, 3), and (1, 1, 1, 0) with (0, 1, -1, 4).
  check_allclose(losses::cosine_similarity(t, p, 0), Tensor({-0.5, 0.0}));
  check_allclose(losses::cosine_similarity(ops::zeros({1, 2}, DType::float64), Tensor({3.0, 4.0}, {1, 2})),
                 Tensor({0.0}));
  CHECK(losses::CosineSimilarity()(t, p).item<double>() == doctest::Approx(-0.15));
  CHECK(losses::CosineSimilarity({.reduction = "sum"})(Tensor({1.0, 2.0}, {1, 2}), Tensor({2.0, 4.0}, {1, 2}))
            .item<double>() == doctest::Approx(-1.0));
}

TEST_CASE("Regression losses match y_true of shape (batch,) to y_pred of shape (batch, 1)") {
  const Tensor t({1.0, 2.0}), p({1.5, 4.0}, {2, 1});
  check_allclose(losses::mean_squared_error(t, p), Tensor({0.25, 4.0}));
  CHECK(losses::MeanAbsoluteError()(t, p).item<double>() == doctest::Approx(1.25));
}

TEST_CASE("Regression losses name both shapes when they do not broadcast") {
  CHECK_THROWS_WITH_AS(losses::mean_squared_error(ops::zeros({2, 3}), ops::zeros({2, 4})),
                       doctest::Contains("mean_squared_error: y_true and y_pred have incompatible shapes. Received: "
                                         "y_true.shape=(2, 3), y_pred.shape=(2, 4)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(losses::Huber()(ops::zeros({5}), ops::zeros({4})), doctest::Contains("y_true.shape=(5,)"),
                       ValueError);
}

TEST_CASE("Regression losses have correct gradients") {
  const Tensor t = random_input({3, 4}, 11);
  const Tensor p = random_input({3, 4}, 12);
  const Tensor positive_t = random_input({3, 4}, 13, 0.5, 2.0);
  const Tensor positive_p = random_input({3, 4}, 14, 0.5, 2.0);
  check_gradients([](const Tensors& x) { return losses::MeanSquaredError()(x[0], x[1]); }, {t, p});
  check_gradients([](const Tensors& x) { return losses::MeanAbsoluteError()(x[0], x[1]); }, {t, p});
  check_gradients([](const Tensors& x) { return losses::MeanAbsolutePercentageError()(x[0], x[1]); }, {t, p});
  check_gradients([](const Tensors& x) { return losses::MeanSquaredLogarithmicError()(x[0], x[1]); },
                  {positive_t, positive_p});
  check_gradients([](const Tensors& x) { return losses::CosineSimilarity()(x[0], x[1]); }, {t, p});
  check_gradients([](const Tensors& x) { return losses::CosineSimilarity({.axis = 0})(x[0], x[1]); }, {t, p});
  check_gradients([](const Tensors& x) { return losses::Huber({.delta = 0.3})(x[0], x[1]); }, {t, p});
  check_gradients([](const Tensors& x) { return losses::LogCosh()(x[0], x[1]); }, {t, 3.0 * p});
}

TEST_CASE("The gradients of log_cosh and cosine_similarity stay finite at extremes") {
  Tensor p({1000.0, -1000.0}, {1, 2});
  {
    GradientTape tape;
    tape.watch(p);
    const Tensor loss = losses::LogCosh({.reduction = "sum"})(ops::zeros({1, 2}, DType::float64), p);
    check_allclose(tape.gradient(loss, p), Tensor({0.5, -0.5}, {1, 2}));  // tanh(±1000) / 2
  }
  Tensor zero = ops::zeros({1, 2}, DType::float64);
  GradientTape tape;
  tape.watch(zero);
  const Tensor loss = losses::CosineSimilarity()(Tensor({1.0, 2.0}, {1, 2}), zero);
  const auto g = tape.gradient(loss, zero).to_vector<double>();
  CHECK(std::isfinite(g[0]));
  CHECK(std::isfinite(g[1]));
}

}  // TEST_SUITE
