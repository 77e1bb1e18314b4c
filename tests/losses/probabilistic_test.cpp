#include <keras/keras.h>
#include <keras/losses/losses.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

TEST_SUITE("training") {

TEST_CASE("kl_divergence sums y_true * log(y_true / y_pred) over the last axis") {
  const Tensor t({0.2, 0.8, 0.5, 0.5}, {2, 2});
  const Tensor p({0.4, 0.6, 0.5, 0.5}, {2, 2});
  check_allclose(losses::kl_divergence(t, p), Tensor({0.09151622184943578, 0.0}));
  CHECK(losses::KLDivergence()(t, p).item<double>() == doctest::Approx(0.09151622184943578 / 2));
  // Zero labels are clipped to epsilon: their terms are epsilon * log(epsilon / p), not NaN.
  check_allclose(losses::kl_divergence(Tensor({0.0, 1.0}), Tensor({0.5, 0.5})),
                 Tensor::scalar(1e-7 * std::log(2e-7) + std::log(2.0)));
}

TEST_CASE("poisson averages y_pred - y_true * log(y_pred + epsilon)") {
  CHECK(losses::poisson(Tensor({1.0, 2.0}, {1, 2}), Tensor({2.0, 3.0}, {1, 2})).item<double>() ==
        doctest::Approx(1.0548140627185858));
  check_allclose(losses::Poisson({.reduction = "none"})(Tensor({0.0, 1.0, 3.0, 1.0}, {2, 2}), Tensor({1.0, 1.0, 1.0, 1.0}, {2, 2})),
                 Tensor({1.0 - 0.5 * std::log1p(1e-7), 1.0 - 2.0 * std::log1p(1e-7)}));
}

TEST_CASE("kl_divergence and poisson name both shapes when they do not broadcast") {
  CHECK_THROWS_WITH_AS(losses::kl_divergence(ops::zeros({2, 3}), ops::zeros({2, 2})),
                       doctest::Contains("y_true.shape=(2, 3), y_pred.shape=(2, 2)"), ValueError);
  CHECK_THROWS_WITH_AS(losses::poisson(ops::zeros({3}), ops::zeros({2})), doctest::Contains("y_true.shape=(3,)"),
                       ValueError);
}

TEST_CASE("kl_divergence and poisson have correct gradients") {
  const Tensor t = random_input({3, 4}, 41, 0.05, 0.95);
  const Tensor p = random_input({3, 4}, 42, 0.05, 0.95);
  check_gradients([](const Tensors& x) { return losses::KLDivergence()(x[0], x[1]); }, {t, p});
  check_gradients([](const Tensors& x) { return losses::Poisson()(x[0], x[1]); }, {3.0 * t, p});
}

}  // TEST_SUITE
