#include <keras/keras.h>
#include <keras/metrics/metrics.h>

#include <doctest/doctest.h>

using namespace keras;
using doctest::Approx;

TEST_SUITE("training") {

TEST_CASE("Mean averages values over several updates, weighted by sample_weight") {
  metrics::Mean m;
  CHECK(m.name() == "mean");
  m.update_state(Tensor({1.f, 3.f, 5.f, 7.f}));
  CHECK(m.result().item<float>() == Approx(4.0));
  m.update_state(Tensor({2.f}));
  CHECK(m.result().item<float>() == Approx(18.0 / 5.0));
  m.reset_state();
  CHECK(m.result().item<float>() == 0.0f);
  m.update_state(Tensor({1.f, 3.f, 5.f, 7.f}), Tensor({1.f, 1.f, 0.f, 0.f}));
  CHECK(m.result().item<float>() == Approx(2.0));
  // (2, 2) values with (2,) weights: each row's mean is one sample: total 4 + 1.5, count 2 + 1.
  m.update_state(Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}), Tensor({1.f, 0.f}));
  CHECK(m.result().item<float>() == Approx(5.5 / 3.0));
}

TEST_CASE("Mean counts a scalar sample weight once per batch, as Keras does") {
  metrics::Mean m;
  m.update_state(Tensor({1.f, 3.f, 5.f, 7.f}), Tensor::scalar(2.f));  // total 4 * 2, count 2
  CHECK(m.result().item<float>() == Approx(4.0));
  m.update_state(Tensor({0.f}));
  CHECK(m.result().item<float>() == Approx(8.0 / 3.0));
}

TEST_CASE("Sum adds values, reducing each sample with the sum") {
  metrics::Sum s({.name = "total_sum"});
  CHECK(s.name() == "total_sum");
  s.update_state(Tensor({1.f, 3.f, 5.f, 7.f}));
  CHECK(s.result().item<float>() == Approx(16.0));
  s.update_state(Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}), Tensor({1.f, 0.f}));
  CHECK(s.result().item<float>() == Approx(19.0));
  s.reset_state();
  s.update_state(Tensor({1.f, 3.f, 5.f, 7.f}), Tensor({1.f, 1.f, 0.f, 0.f}));
  CHECK(s.result().item<float>() == Approx(4.0));
  CHECK(s.variables().size() == 1);
}

TEST_CASE("Mean and Sum refuse (y_true, y_pred) and say to pass values") {
  metrics::Mean m;
  metrics::Metric& as_metric = m;
  CHECK_THROWS_WITH_AS(as_metric.update_state(Tensor({1.f}), Tensor({1.f})), doctest::Contains("update_state(values"),
                       ValueError);
  metrics::Sum s;
  CHECK_THROWS_WITH_AS(s.update_state(Tensor({1.f}), Tensor({1.f}), Tensor({1.f})),
                       doctest::Contains("metric of values"), ValueError);
}

TEST_CASE("MeanMetricWrapper averages a function's per-sample values with sample weights") {
  auto squared = [](const Tensor& y_true, const Tensor& y_pred) { return ops::square(y_true - y_pred); };
  metrics::MeanMetricWrapper m(squared, {.name = "sq"});
  CHECK(m.name() == "sq");
  CHECK(m.class_name() == "MeanMetricWrapper");
  const Tensor y_true({0.f, 1.f, 0.f, 0.f}, {2, 2});
  const Tensor y_pred({1.f, 1.f, 0.f, 0.f}, {2, 2});
  m.update_state(y_true, y_pred);
  CHECK(m.result().item<float>() == Approx(0.25));
  m.update_state(Tensor({1.f, 1.f}, {1, 2}), Tensor({0.f, 0.f}, {1, 2}));
  CHECK(m.result().item<float>() == Approx(1.5 / 3.0));
  m.reset_state();
  m.update_state(y_true, y_pred, Tensor({1.f, 0.f}));
  CHECK(m.result().item<float>() == Approx(0.5));
}

TEST_CASE("An unnamed MeanMetricWrapper takes Keras's auto name") {
  auto fn = [](const Tensor& a, const Tensor&) { return a; };
  metrics::MeanMetricWrapper a(fn), b(fn);
  CHECK(a.name().rfind("mean_metric_wrapper", 0) == 0);
  CHECK(b.name().rfind("mean_metric_wrapper_", 0) == 0);
  CHECK(a.name() != b.name());
}

}  // TEST_SUITE
