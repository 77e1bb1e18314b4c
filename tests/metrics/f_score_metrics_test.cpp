#include <keras/keras.h>
#include <keras/metrics/metrics.h>

#include <doctest/doctest.h>

using namespace keras;
using doctest::Approx;

namespace {

const Tensor y_true() { return Tensor({1.f, 1.f, 1.f, 1.f, 0.f, 0.f, 1.f, 1.f, 0.f}, {3, 3}); }
const Tensor y_pred() { return Tensor({0.2f, 0.6f, 0.7f, 0.2f, 0.6f, 0.6f, 0.6f, 0.8f, 0.f}, {3, 3}); }

void check_values(const Tensor& actual, const std::vector<double>& expected) {
  const auto v = actual.to_vector<float>();
  REQUIRE(v.size() == expected.size());
  for (size_t i = 0; i < v.size(); ++i) CHECK(v[i] == Approx(expected[i]).epsilon(1e-5));
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("F1Score with a threshold gives one score per class") {
  // At 0.5: class 0 P 1 R 1/3, class 1 P 2/3 R 1, class 2 P 1/2 R 1.
  metrics::F1Score m({.threshold = 0.5});
  CHECK(m.name() == "f1_score");
  CHECK(m.variables().empty());
  m.update_state(y_true(), y_pred());
  check_values(m.result(), {0.5, 0.8, 2.0 / 3.0});
  CHECK(m.variables().size() == 4);
}

TEST_CASE("F1Score accumulates over batches") {
  metrics::F1Score m({.threshold = 0.5});
  m.update_state(ops::slice(y_true(), {0, 0}, {2, 3}), ops::slice(y_pred(), {0, 0}, {2, 3}));
  m.update_state(ops::slice(y_true(), {2, 0}, {1, 3}), ops::slice(y_pred(), {2, 0}, {1, 3}));
  check_values(m.result(), {0.5, 0.8, 2.0 / 3.0});
  m.reset_state();
  m.update_state(y_true(), y_pred(), Tensor({1.f, 0.f, 2.f}));
  // Class 0: tp 2, fn 1 -> 0.8; classes 1 and 2: no weighted false predictions -> 1.
  check_values(m.result(), {0.8, 1.0, 1.0});
}

TEST_CASE("F1Score averages: micro, macro and weighted") {
  metrics::F1Score micro({.average = "micro", .threshold = 0.5});
  micro.update_state(y_true(), y_pred());
  check_values(micro.result(), {4.0 / 6.0});  // tp 4, fp 2, fn 2
  CHECK(micro.result().shape() == Shape{});
  metrics::F1Score macro({.average = "macro", .threshold = 0.5});
  macro.update_state(y_true(), y_pred());
  check_values(macro.result(), {(0.5 + 0.8 + 2.0 / 3.0) / 3.0});
  metrics::F1Score weighted({.average = "weighted", .threshold = 0.5});
  weighted.update_state(y_true(), y_pred());
  check_values(weighted.result(), {(0.5 * 3 + 0.8 * 2 + 2.0 / 3.0) / 6.0});  // supports 3, 2, 1
}

TEST_CASE("F1Score without a threshold predicts each row's largest values") {
  // Row maxima: [0, 0, 1], [0, 1, 1] (a tie), [0, 1, 0].
  metrics::F1Score m;
  m.update_state(y_true(), y_pred());
  check_values(m.result(), {0.0, 0.5, 2.0 / 3.0});
}

TEST_CASE("FBetaScore weighs recall by beta") {
  metrics::FBetaScore m({.beta = 2.0, .threshold = 0.5});
  CHECK(m.name() == "fbeta_score");
  m.update_state(y_true(), y_pred());
  check_values(m.result(), {5.0 / 13.0, 10.0 / 11.0, 5.0 / 6.0});
}

TEST_CASE("F1Score rejects bad arguments and inputs") {
  CHECK_THROWS_WITH_AS(metrics::F1Score({.average = "mean"}), doctest::Contains("average"), ValueError);
  CHECK_THROWS_WITH_AS(metrics::F1Score({.threshold = 0.0}), doctest::Contains("threshold"), ValueError);
  CHECK_THROWS_WITH_AS(metrics::FBetaScore({.beta = 0.0}), doctest::Contains("beta"), ValueError);
  metrics::F1Score m;
  CHECK_THROWS_WITH_AS(m.update_state(Tensor({1.f, 0.f}), Tensor({0.f, 1.f})), doctest::Contains("2D inputs"),
                       ValueError);
}

}  // TEST_SUITE
