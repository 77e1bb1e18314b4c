#include <keras/keras.h>
#include <keras/metrics/metrics.h>

#include <doctest/doctest.h>

#include <cmath>

using namespace keras;
using doctest::Approx;

namespace {

const Tensor binary_true() { return Tensor({0.f, 1.f, 0.f, 0.f}, {2, 2}); }
const Tensor binary_pred() { return Tensor({0.6f, 0.4f, 0.4f, 0.6f}, {2, 2}); }

void check_pair(metrics::Metric& m, const Tensor& y_true, const Tensor& y_pred, const Tensor& weights, double unweighted,
                double weighted) {
  m.update_state(y_true, y_pred);
  CHECK(m.result().item<float>() == Approx(unweighted).epsilon(1e-5));
  m.reset_state();
  m.update_state(y_true, y_pred, weights);
  CHECK(m.result().item<float>() == Approx(weighted).epsilon(1e-5));
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("KLDivergence and Poisson match Keras's examples") {
  metrics::KLDivergence kld;
  check_pair(kld, binary_true(), binary_pred(), Tensor({1.f, 0.f}), 0.45814306, 0.9162892);
  metrics::Poisson poisson;
  check_pair(poisson, binary_true(), Tensor({1.f, 1.f, 0.f, 0.f}, {2, 2}), Tensor({1.f, 0.f}), 0.49999997, 0.99999994);
}

TEST_CASE("BinaryCrossentropy matches Keras's example, from logits and with label smoothing") {
  metrics::BinaryCrossentropy bce;
  CHECK(bce.name() == "binary_crossentropy");
  check_pair(bce, binary_true(), binary_pred(), Tensor({1.f, 0.f}), 0.81492424, 0.9162905);
  metrics::BinaryCrossentropy logits({.from_logits = true});
  logits.update_state(binary_true(), ops::log(binary_pred() / (1.0 - binary_pred())));
  CHECK(logits.result().item<float>() == Approx(0.81492424).epsilon(1e-5));
  metrics::BinaryCrossentropy smoothed({.label_smoothing = 0.2});  // labels become 0.1 and 0.9
  smoothed.update_state(binary_true(), binary_pred());
  CHECK(smoothed.result().item<float>() == Approx(0.7946512).epsilon(1e-5));
}

TEST_CASE("CategoricalCrossentropy normalises, clips and smooths as Keras") {
  const Tensor y_true({0.f, 1.f, 0.f, 0.f, 0.f, 1.f}, {2, 3});
  const Tensor y_pred({0.05f, 0.95f, 0.f, 0.1f, 0.8f, 0.1f}, {2, 3});
  metrics::CategoricalCrossentropy cce;
  check_pair(cce, y_true, y_pred, Tensor({0.3f, 0.7f}), 1.1769392, 1.6271976);
  metrics::CategoricalCrossentropy smoothed({.label_smoothing = 0.1});
  smoothed.update_state(y_true, y_pred);
  CHECK(smoothed.result().item<float>() == Approx(1.4591358).epsilon(1e-5));
  metrics::CategoricalCrossentropy logits({.from_logits = true});
  logits.update_state(Tensor({0.f, 0.f, 1.f}, {1, 3}), Tensor({1.f, 2.f, 3.f}, {1, 3}));
  CHECK(logits.result().item<float>() == Approx(std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0));
}

TEST_CASE("SparseCategoricalCrossentropy takes integer labels") {
  const Tensor y_pred({0.05f, 0.95f, 0.f, 0.1f, 0.8f, 0.1f}, {2, 3});
  metrics::SparseCategoricalCrossentropy scce;
  check_pair(scce, Tensor({1, 2}), y_pred, Tensor({0.3f, 0.7f}), 1.1769392, 1.6271976);
  scce.reset_state();
  scce.update_state(Tensor({1.f, 2.f}, {2, 1}), y_pred);
  CHECK(scce.result().item<float>() == Approx(1.1769392).epsilon(1e-5));
}

TEST_CASE("Hinge, SquaredHinge and CategoricalHinge match Keras's examples") {
  metrics::Hinge hinge;
  check_pair(hinge, binary_true(), binary_pred(), Tensor({1.f, 0.f}), 1.3, 1.1);
  metrics::SquaredHinge squared;
  check_pair(squared, binary_true(), binary_pred(), Tensor({1.f, 0.f}), 1.86, 1.46);
  metrics::CategoricalHinge categorical;
  check_pair(categorical, binary_true(), binary_pred(), Tensor({1.f, 0.f}), 1.4, 1.2);
}

}  // TEST_SUITE
