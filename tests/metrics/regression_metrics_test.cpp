#include <keras/keras.h>
#include <keras/metrics/metrics.h>

#include <doctest/doctest.h>

#include <cmath>

using namespace keras;
using doctest::Approx;

namespace {

const Tensor regression_true() { return Tensor({0.f, 1.f, 0.f, 0.f}, {2, 2}); }
const Tensor regression_pred() { return Tensor({1.f, 1.f, 0.f, 0.f}, {2, 2}); }
const Tensor first_only() { return Tensor({1.f, 0.f}); }

// Keras's documented pair: (unweighted, sample_weight [1, 0]).
void check_documented(metrics::Metric& m, double unweighted, double weighted) {
  m.update_state(regression_true(), regression_pred());
  CHECK(m.result().item<float>() == Approx(unweighted).epsilon(1e-5));
  m.reset_state();
  m.update_state(regression_true(), regression_pred(), first_only());
  CHECK(m.result().item<float>() == Approx(weighted).epsilon(1e-5));
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("MeanSquaredError and MeanAbsoluteError average over samples and updates") {
  metrics::MeanSquaredError mse;
  CHECK(mse.name() == "mean_squared_error");
  check_documented(mse, 0.25, 0.5);
  mse.reset_state();
  mse.update_state(regression_true(), regression_pred());
  mse.update_state(Tensor({1.f, 1.f}, {1, 2}), Tensor({0.f, 0.f}, {1, 2}));
  CHECK(mse.result().item<float>() == Approx(0.5));
  metrics::MeanAbsoluteError mae;
  check_documented(mae, 0.25, 0.5);
}

TEST_CASE("MeanAbsolutePercentageError and MeanSquaredLogarithmicError match Keras's examples") {
  metrics::MeanAbsolutePercentageError mape;
  check_documented(mape, 250000000.0, 500000000.0);
  metrics::MeanSquaredLogarithmicError msle;
  check_documented(msle, 0.12011322, 0.24022643);
}

TEST_CASE("RootMeanSquaredError is the square root of the weighted mean squared error") {
  metrics::RootMeanSquaredError m;
  CHECK(m.name() == "root_mean_squared_error");
  check_documented(m, 0.5, std::sqrt(0.5));
}

TEST_CASE("CosineSimilarity and LogCoshError match Keras's examples") {
  metrics::CosineSimilarity cos({.axis = 1});
  const Tensor t({0.f, 1.f, 1.f, 1.f}, {2, 2}), p({1.f, 0.f, 1.f, 1.f}, {2, 2});
  cos.update_state(t, p);
  CHECK(cos.result().item<float>() == Approx(0.5));
  cos.reset_state();
  cos.update_state(t, p, Tensor({0.3f, 0.7f}));
  CHECK(cos.result().item<float>() == Approx(0.7));
  metrics::LogCoshError logcosh;
  CHECK(logcosh.name() == "logcosh");
  check_documented(logcosh, std::log(std::cosh(1.0)) / 4, std::log(std::cosh(1.0)) / 2);
}

TEST_CASE("R2Score matches Keras's example and accumulates over batches") {
  const Tensor t({1.f, 4.f, 3.f}, {3, 1}), p({2.f, 4.f, 4.f}, {3, 1});
  metrics::R2Score one;
  one.update_state(t, p);
  CHECK(one.result().item<float>() == Approx(1.0 - 2.0 / (14.0 / 3.0)));
  metrics::R2Score split;
  split.update_state(ops::slice(t, {0, 0}, {2, 1}), ops::slice(p, {0, 0}, {2, 1}));
  split.update_state(ops::slice(t, {2, 0}, {1, 1}), ops::slice(p, {2, 0}, {1, 1}));
  CHECK(split.result().item<float>() == Approx(1.0 - 2.0 / (14.0 / 3.0)));
  split.reset_state();
  // Weights [1, 0, 1] keep (1 -> 2) and (3 -> 4): SS_res 2, SS_tot 2.
  split.update_state(t, p, Tensor({1.f, 0.f, 1.f}));
  CHECK(split.result().item<float>() == Approx(0.0));
}

TEST_CASE("R2Score aggregates the outputs' scores and adjusts for regressors") {
  // Output 0 scores 4/7; output 1 (SS_res 1, SS_tot 2) scores 1/2.
  const Tensor t({1.f, 2.f, 4.f, 0.f, 3.f, 1.f}, {3, 2}), p({2.f, 2.f, 4.f, 1.f, 4.f, 1.f}, {3, 2});
  metrics::R2Score uniform;
  uniform.update_state(t, p);
  CHECK(uniform.result().item<float>() == Approx((4.0 / 7.0 + 0.5) / 2));
  metrics::R2Score none({.class_aggregation = std::nullopt});
  none.update_state(t, p);
  const auto scores = none.result().to_vector<float>();
  REQUIRE(scores.size() == 2);
  CHECK(scores[0] == Approx(4.0 / 7.0));
  CHECK(scores[1] == Approx(0.5));
  metrics::R2Score variance({.class_aggregation = "variance_weighted_average"});
  variance.update_state(t, p);
  CHECK(variance.result().item<float>() == Approx((14.0 / 3.0 * 4.0 / 7.0 + 2.0 * 0.5) / (14.0 / 3.0 + 2.0)));
  metrics::R2Score adjusted({.num_regressors = 1});
  adjusted.update_state(Tensor({1.f, 4.f, 3.f}, {3, 1}), Tensor({2.f, 4.f, 4.f}, {3, 1}));
  CHECK(adjusted.result().item<float>() == Approx(1.0 - (1.0 - 4.0 / 7.0) * 2.0 / 1.0));
  CHECK_THROWS_WITH_AS(metrics::R2Score({.class_aggregation = "median"}), doctest::Contains("class_aggregation"),
                       ValueError);
  metrics::R2Score flat;
  CHECK_THROWS_WITH_AS(flat.update_state(Tensor({1.f, 2.f, 3.f}, {1, 1, 3}), Tensor({1.f, 2.f, 3.f}, {1, 1, 3})),
                       doctest::Contains("2D inputs"), ValueError);
}

}  // TEST_SUITE
