#include <keras/keras.h>
#include <keras/losses/losses.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

namespace {
const Tensor kPred({0.3, 0.6, -0.2, 0.4}, {2, 2});
}  // namespace

TEST_SUITE("training") {

TEST_CASE("hinge and squared_hinge map 0/1 labels to -1/1") {
  // Margins 1 - y * y_pred: (1.3, 0.4) and (1.2, 1.4).
  const Tensor binary({0.0, 1.0, 1.0, 0.0}, {2, 2});
  const Tensor signed_labels({-1.0, 1.0, 1.0, -1.0}, {2, 2});
  check_allclose(losses::hinge(binary, kPred), Tensor({0.85, 1.3}));
  check_allclose(losses::hinge(signed_labels, kPred), Tensor({0.85, 1.3}));
  check_allclose(losses::squared_hinge(binary, kPred), Tensor({0.925, 1.7}));
  CHECK(losses::Hinge()(binary, kPred).item<double>() == doctest::Approx(1.075));
  CHECK(losses::SquaredHinge({.reduction = "sum"})(signed_labels, kPred).item<double>() == doctest::Approx(2.625));
}

TEST_CASE("hinge leaves labels alone unless every one is 0 or 1") {
  // 0.5 is neither: nothing is converted, so the 0 label contributes a margin of 1.
  const Tensor labels({0.0, 0.5}, {1, 2});
  check_allclose(losses::hinge(labels, Tensor({0.3, 0.6}, {1, 2})), Tensor({(1.0 + 0.7) / 2}));
}

TEST_CASE("hinge clips negative margins to zero") {
  check_allclose(losses::hinge(Tensor({1.0, -1.0}, {1, 2}), Tensor({2.0, -3.0}, {1, 2})), Tensor({0.0}));
}

TEST_CASE("categorical_hinge compares the true class with the best other one") {
  const Tensor t({0.0, 1.0, 0.0, 1.0, 0.0, 0.0}, {2, 3});
  const Tensor p({0.2, 0.5, 0.3, 0.1, 0.6, 0.3}, {2, 3});
  check_allclose(losses::categorical_hinge(t, p), Tensor({0.8, 1.5}));
  CHECK(losses::CategoricalHinge()(t, p).item<double>() == doctest::Approx(1.15));
  check_allclose(losses::categorical_hinge(Tensor({1.0, 0.0}, {1, 2}), Tensor({5.0, 1.0}, {1, 2})), Tensor({0.0}));
}

TEST_CASE("Hinge losses name both shapes when they do not broadcast") {
  CHECK_THROWS_WITH_AS(losses::hinge(ops::zeros({2, 3}), ops::zeros({2, 2})),
                       doctest::Contains("hinge: y_true and y_pred have incompatible shapes"), ValueError);
  CHECK_THROWS_WITH_AS(losses::categorical_hinge(ops::zeros({4}), ops::zeros({4, 3})),
                       doctest::Contains("y_true.shape=(4,), y_pred.shape=(4, 3)"), ValueError);
}

TEST_CASE("Hinge losses have correct gradients") {
  const Tensor labels({1.0, -1.0, -1.0, 1.0, 1.0, -1.0}, {2, 3});
  const Tensor one_hot({0.0, 1.0, 0.0, 1.0, 0.0, 0.0}, {2, 3});
  const Tensor p = random_input({2, 3}, 51, -0.5, 0.5);  // margins in (0.5, 1.5): away from the kink
  check_gradients([&](const Tensors& x) { return losses::Hinge()(labels, x[0]); }, {p});
  check_gradients([&](const Tensors& x) { return losses::SquaredHinge()(labels, x[0]); }, {p});
  check_gradients([&](const Tensors& x) { return losses::CategoricalHinge()(one_hot, x[0]); }, {p});
}

}  // TEST_SUITE
