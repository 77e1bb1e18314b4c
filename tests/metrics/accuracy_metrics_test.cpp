#include <keras/keras.h>
#include <keras/metrics/metrics.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace keras;
using doctest::Approx;

TEST_SUITE("training") {

TEST_CASE("Accuracy counts exact matches over several updates") {
  metrics::Accuracy m;
  CHECK(m.name() == "accuracy");
  m.update_state(Tensor({1.f, 2.f, 3.f, 4.f}, {4, 1}), Tensor({0.f, 2.f, 3.f, 4.f}, {4, 1}));
  CHECK(m.result().item<float>() == Approx(0.75));
  m.update_state(Tensor({1.f, 2.f}, {2, 1}), Tensor({1.f, 2.f}, {2, 1}));
  CHECK(m.result().item<float>() == Approx(5.0 / 6.0));
  m.reset_state();
  m.update_state(Tensor({1.f, 2.f, 3.f, 4.f}, {4, 1}), Tensor({0.f, 2.f, 3.f, 4.f}, {4, 1}), Tensor({1.f, 1.f, 0.f, 0.f}));
  CHECK(m.result().item<float>() == Approx(0.5));
}

TEST_CASE("BinaryAccuracy thresholds predictions at 0.5 by default") {
  const Tensor y_true({1.f, 1.f, 0.f, 0.f}, {4, 1});
  const Tensor y_pred({0.98f, 1.f, 0.f, 0.6f}, {4, 1});
  metrics::BinaryAccuracy m;
  m.update_state(y_true, y_pred);
  CHECK(m.result().item<float>() == Approx(0.75));
  m.reset_state();
  m.update_state(y_true, y_pred, Tensor({1.f, 0.f, 0.f, 1.f}));
  CHECK(m.result().item<float>() == Approx(0.5));
  metrics::BinaryAccuracy strict({.threshold = 0.7});
  strict.update_state(y_true, y_pred);
  CHECK(strict.result().item<float>() == Approx(1.0));
  CHECK_THROWS_WITH_AS(metrics::BinaryAccuracy({.threshold = 1.0}), doctest::Contains("threshold"), ValueError);
}

TEST_CASE("CategoricalAccuracy compares the argmax of one-hot labels and predictions") {
  const Tensor y_true({0.f, 0.f, 1.f, 0.f, 1.f, 0.f}, {2, 3});
  const Tensor y_pred({0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0.f}, {2, 3});
  metrics::CategoricalAccuracy m;
  m.update_state(y_true, y_pred);
  CHECK(m.result().item<float>() == Approx(0.5));
  m.reset_state();
  m.update_state(y_true, y_pred, Tensor({0.7f, 0.3f}));
  CHECK(m.result().item<float>() == Approx(0.3));
}

TEST_CASE("SparseCategoricalAccuracy takes labels of shape (batch,) or (batch, 1)") {
  const Tensor y_pred({0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0.f}, {2, 3});
  metrics::SparseCategoricalAccuracy m;
  m.update_state(Tensor({2.f, 1.f}, {2, 1}), y_pred);
  CHECK(m.result().item<float>() == Approx(0.5));
  m.update_state(Tensor({1, 1}), y_pred);  // int32 labels, (batch,)
  CHECK(m.result().item<float>() == Approx(0.75));
  m.reset_state();
  m.update_state(Tensor({2.f, 1.f}, {2, 1}), y_pred, Tensor({0.7f, 0.3f}));
  CHECK(m.result().item<float>() == Approx(0.3));
}

TEST_CASE("TopKCategoricalAccuracy counts targets among the k largest predictions, ties included") {
  const Tensor y_true({0.f, 0.f, 1.f, 0.f, 1.f, 0.f}, {2, 3});
  const Tensor y_pred({0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0.f}, {2, 3});
  metrics::TopKCategoricalAccuracy top1({.k = 1});
  CHECK(top1.name() == "top_k_categorical_accuracy");
  top1.update_state(y_true, y_pred);
  CHECK(top1.result().item<float>() == Approx(0.5));
  top1.reset_state();
  top1.update_state(y_true, y_pred, Tensor({0.7f, 0.3f}));
  CHECK(top1.result().item<float>() == Approx(0.3));
  metrics::TopKCategoricalAccuracy top2({.k = 2});
  top2.update_state(y_true, y_pred);
  CHECK(top2.result().item<float>() == Approx(1.0));
  metrics::TopKCategoricalAccuracy tie({.k = 1});
  tie.update_state(Tensor({0.f, 1.f, 0.f}, {1, 3}), Tensor({0.5f, 0.5f, 0.1f}, {1, 3}));
  CHECK(tie.result().item<float>() == Approx(1.0));
  CHECK(metrics::TopKCategoricalAccuracy().get_config()["k"] == 5);
}

TEST_CASE("SparseTopKCategoricalAccuracy counts integer targets among the k largest predictions") {
  const Tensor y_pred({0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0.f}, {2, 3});
  metrics::SparseTopKCategoricalAccuracy m({.k = 1});
  CHECK(m.name() == "sparse_top_k_categorical_accuracy");
  m.update_state(Tensor({2, 1}), y_pred);
  CHECK(m.result().item<float>() == Approx(0.5));
  m.update_state(Tensor({2.f, 0.f}, {2, 1}), y_pred);  // (batch, 1) labels: neither in the top 1
  CHECK(m.result().item<float>() == Approx(0.25));
  m.reset_state();
  m.update_state(Tensor({2, 1}), y_pred, Tensor({0.7f, 0.3f}));
  CHECK(m.result().item<float>() == Approx(0.3));
}

TEST_CASE("The accuracy functions give one value per sample") {
  const Tensor matches = metrics::sparse_categorical_accuracy(Tensor({2.f, 1.f}, {2, 1}),
                                                              Tensor({0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0.f}, {2, 3}));
  CHECK(matches.shape() == Shape{2});
  CHECK(matches.to_vector<float>() == std::vector<float>{0.f, 1.f});
  const Tensor binary = metrics::binary_accuracy(Tensor({1.f, 0.f, 1.f, 1.f}, {2, 2}), Tensor({0.9f, 0.2f, 0.4f, 0.7f}, {2, 2}));
  CHECK(binary.to_vector<float>() == std::vector<float>{1.f, 0.5f});
}

}  // TEST_SUITE
