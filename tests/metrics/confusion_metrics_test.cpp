#include <keras/keras.h>
#include <keras/metrics/metrics.h>

#include <doctest/doctest.h>

#include <cmath>

using namespace keras;
using doctest::Approx;

namespace {

std::vector<float> values(const Tensor& t) { return t.to_vector<float>(); }

// Two batches with weights; see the AUC tests for the counts at thresholds (-eps, .25, .5, .75, 1 + eps).
void update_auc_example(metrics::Metric& m) {
  m.update_state(Tensor({0.f, 1.f, 0.f, 1.f}), Tensor({0.2f, 0.3f, 0.6f, 0.7f}));
  m.update_state(Tensor({1.f, 0.f}), Tensor({0.9f, 0.1f}), Tensor({2.f, 1.f}));
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("TruePositives, FalsePositives, TrueNegatives and FalseNegatives count at 0.5") {
  metrics::TruePositives tp;
  tp.update_state(Tensor({0.f, 1.f, 1.f, 1.f}), Tensor({1.f, 0.f, 1.f, 1.f}));
  CHECK(tp.result().item<float>() == 2.f);
  tp.update_state(Tensor({0.f, 1.f, 1.f, 1.f}), Tensor({1.f, 0.f, 1.f, 1.f}), Tensor({0.f, 0.f, 1.f, 0.f}));
  CHECK(tp.result().item<float>() == 3.f);
  metrics::FalsePositives fp;
  fp.update_state(Tensor({0.f, 1.f, 0.f, 0.f}), Tensor({0.f, 0.f, 1.f, 1.f}));
  CHECK(fp.result().item<float>() == 2.f);
  metrics::TrueNegatives tn;
  tn.update_state(Tensor({0.f, 1.f, 0.f, 0.f}), Tensor({1.f, 1.f, 0.f, 0.f}));
  CHECK(tn.result().item<float>() == 2.f);
  metrics::FalseNegatives fn;
  fn.update_state(Tensor({0.f, 1.f, 1.f, 1.f}), Tensor({0.f, 1.f, 0.f, 0.f}));
  CHECK(fn.result().item<float>() == 2.f);
  fn.reset_state();
  CHECK(fn.result().item<float>() == 0.f);
}

TEST_CASE("A confusion count with several thresholds gives one count per threshold") {
  metrics::TruePositives tp({.thresholds = {0.15, 0.5, 0.85}});
  tp.update_state(Tensor({0.f, 1.f, 1.f, 1.f}), Tensor({0.1f, 0.2f, 0.6f, 0.9f}));
  CHECK(values(tp.result()) == std::vector<float>{3.f, 2.f, 1.f});
  CHECK_THROWS_WITH_AS(metrics::TruePositives({.thresholds = {1.5}}), doctest::Contains("must be in [0, 1]"), ValueError);
}

TEST_CASE("Precision and Recall accumulate over updates, with sample weights") {
  metrics::Precision p;
  metrics::Recall r;
  const Tensor y_true({0.f, 1.f, 1.f, 1.f}), y_pred({1.f, 0.f, 1.f, 1.f});
  p.update_state(y_true, y_pred);
  r.update_state(y_true, y_pred);
  CHECK(p.result().item<float>() == Approx(2.0 / 3.0));
  CHECK(r.result().item<float>() == Approx(2.0 / 3.0));
  p.update_state(Tensor({1.f, 0.f}), Tensor({0.9f, 0.8f}));  // tp 3, fp 2
  CHECK(p.result().item<float>() == Approx(0.6));
  p.reset_state();
  r.reset_state();
  CHECK(p.result().item<float>() == 0.f);  // 0 / 0 is 0 (divide_no_nan)
  p.update_state(y_true, y_pred, Tensor({0.f, 0.f, 1.f, 0.f}));
  r.update_state(y_true, y_pred, Tensor({0.f, 0.f, 1.f, 0.f}));
  CHECK(p.result().item<float>() == Approx(1.0));
  CHECK(r.result().item<float>() == Approx(1.0));
}

TEST_CASE("Precision with several thresholds gives one precision per threshold") {
  metrics::Precision p({.thresholds = {0.15, 0.5, 0.85}});
  p.update_state(Tensor({0.f, 1.f, 0.f, 1.f}), Tensor({0.2f, 0.3f, 0.6f, 0.9f}));
  // > 0.15: all four (2 of 4 true); > 0.5: 0.6 and 0.9 (1 of 2); > 0.85: 0.9 (1 of 1).
  const auto v = values(p.result());
  REQUIRE(v.size() == 3);
  CHECK(v[0] == Approx(0.5));
  CHECK(v[1] == Approx(0.5));
  CHECK(v[2] == Approx(1.0));
}

TEST_CASE("Precision with top_k counts only the k largest predictions, lower index first among ties") {
  metrics::Precision top2({.top_k = 2});
  top2.update_state(Tensor({0.f, 0.f, 1.f, 1.f}), Tensor({1.f, 1.f, 1.f, 1.f}));
  CHECK(top2.result().item<float>() == Approx(0.0));
  metrics::Precision top4({.top_k = 4});
  top4.update_state(Tensor({0.f, 0.f, 1.f, 1.f}), Tensor({1.f, 1.f, 1.f, 1.f}));
  CHECK(top4.result().item<float>() == Approx(0.5));

  // Top 2 of [0.1, 0.4, 0.3, 0.2] are classes 1 and 2; the labels are classes 1 and 3.
  const Tensor y_true({0.f, 1.f, 0.f, 1.f}, {1, 4}), y_pred({0.1f, 0.4f, 0.3f, 0.2f}, {1, 4});
  metrics::Precision p({.top_k = 2});
  metrics::Recall r({.top_k = 2});
  p.update_state(y_true, y_pred);
  r.update_state(y_true, y_pred);
  CHECK(p.result().item<float>() == Approx(0.5));
  CHECK(r.result().item<float>() == Approx(0.5));
}

TEST_CASE("Precision and Recall with class_id measure one class") {
  const Tensor y_true({0.f, 1.f, 0.f, 1.f, 0.f, 0.f, 0.f, 1.f, 0.f}, {3, 3});
  const Tensor y_pred({0.2f, 0.7f, 0.1f, 0.6f, 0.3f, 0.1f, 0.4f, 0.45f, 0.15f}, {3, 3});
  // Class 1 at 0.5: predictions [0.7, 0.3, 0.45] -> [1, 0, 0]; labels [1, 0, 1].
  metrics::Precision p({.class_id = 1});
  metrics::Recall r({.class_id = 1});
  p.update_state(y_true, y_pred);
  r.update_state(y_true, y_pred);
  CHECK(p.result().item<float>() == Approx(1.0));
  CHECK(r.result().item<float>() == Approx(0.5));
  // With top_k = 1 class 1 is the top prediction of rows 0 and 2, both labelled 1.
  metrics::Precision pk({.top_k = 1, .class_id = 1});
  metrics::Recall rk({.top_k = 1, .class_id = 1});
  pk.update_state(y_true, y_pred);
  rk.update_state(y_true, y_pred);
  CHECK(pk.result().item<float>() == Approx(1.0));
  CHECK(rk.result().item<float>() == Approx(1.0));
  metrics::Precision bad({.class_id = 3});
  CHECK_THROWS_WITH_AS(bad.update_state(y_true, y_pred), doctest::Contains("class_id"), ValueError);
}

TEST_CASE("AUC gives Keras's documented ROC values with three thresholds") {
  metrics::AUC m({.num_thresholds = 3});
  CHECK(m.name().rfind("auc", 0) == 0);
  m.update_state(Tensor({0.f, 0.f, 1.f, 1.f}), Tensor({0.f, 0.5f, 0.3f, 0.9f}));
  CHECK(m.result().item<float>() == Approx(0.75));
  m.reset_state();
  m.update_state(Tensor({0.f, 0.f, 1.f, 1.f}), Tensor({0.f, 0.5f, 0.3f, 0.9f}), Tensor({1.f, 0.f, 0.f, 1.f}));
  CHECK(m.result().item<float>() == Approx(1.0));
}

TEST_CASE("AUC ROC with five thresholds follows Keras's buckets and trapezoids") {
  // Buckets ceil(4p) - 1 (at least 0): .2->0 .3->1 .6->2 .7->2 .9->3 .1->0. With weights 1,1,1,1,2,1:
  // tp = [4, 4, 3, 2, 0], fp = [3, 1, 1, 0, 0], so recall = [1, 1, .75, .5, 0], fpr = [1, 1/3, 1/3, 0, 0];
  // interpolation: 2/3 * (1 + 1) / 2 + 1/3 * (.75 + .5) / 2 = 0.875.
  metrics::AUC m({.num_thresholds = 5});
  update_auc_example(m);
  CHECK(m.result().item<float>() == Approx(0.875));
  metrics::AUC minoring({.num_thresholds = 5, .summation_method = "minoring"});
  update_auc_example(minoring);
  CHECK(minoring.result().item<float>() == Approx(2.0 / 3.0 + 1.0 / 6.0));
  metrics::AUC majoring({.num_thresholds = 5, .summation_method = "majoring"});
  update_auc_example(majoring);
  CHECK(majoring.result().item<float>() == Approx(2.0 / 3.0 + 0.25));
  // The same thresholds given explicitly are evenly spaced: the same result.
  metrics::AUC explicit_even({.thresholds = {0.75, 0.25, 0.5}});
  update_auc_example(explicit_even);
  CHECK(explicit_even.result().item<float>() == Approx(0.875));
}

TEST_CASE("AUC with uneven thresholds compares predictions with each threshold") {
  // Thresholds (-eps, .3, .5, .8, 1 + eps): 0.3 is not above 0.3, so tp = [4, 3, 3, 2, 0];
  // recall = [1, .75, .75, .5, 0], fpr = [1, 1/3, 1/3, 0, 0]: 2/3 * .875 + 1/3 * .625.
  metrics::AUC m({.thresholds = {0.3, 0.5, 0.8}});
  CHECK(m.thresholds().size() == 5);
  update_auc_example(m);
  CHECK(m.result().item<float>() == Approx(2.0 / 3.0 * 0.875 + 1.0 / 3.0 * 0.625));
}

TEST_CASE("AUC PR interpolates true and false positives as Davis and Goadrich") {
  // p = tp + fp = [7, 5, 4, 2, 0]; slopes dtp / dp = [0, 1, .5, 1]; intercepts [4, -1, 1, 0];
  // each interval adds slope * (dtp + intercept * log(p_a / p_b)) / (tp + fn) with tp + fn = 4.
  metrics::AUC m({.num_thresholds = 5, .curve = "PR"});
  update_auc_example(m);
  const double expected = (1 - std::log(1.25)) / 4 + 0.5 * (1 + std::log(2.0)) / 4 + 2.0 / 4;
  CHECK(m.result().item<float>() == Approx(expected).epsilon(1e-5));
}

TEST_CASE("AUC with 200 thresholds matches the exact ROC AUC when predictions fall in distinct buckets") {
  metrics::AUC m;
  m.update_state(Tensor({0.f, 0.f, 1.f, 1.f}), Tensor({0.1f, 0.4f, 0.35f, 0.8f}));
  CHECK(m.result().item<float>() == Approx(0.75).epsilon(1e-5));
  CHECK(m.thresholds().size() == 200);
  CHECK(m.thresholds().front() < 0.0);
  CHECK(m.thresholds().back() > 1.0);
}

TEST_CASE("AUC from_logits applies the sigmoid first") {
  auto logit = [](float p) { return std::log(p / (1 - p)); };
  metrics::AUC m({.num_thresholds = 5, .from_logits = true});
  m.update_state(Tensor({0.f, 1.f, 0.f, 1.f}), Tensor({logit(0.2f), logit(0.3f), logit(0.6f), logit(0.7f)}));
  m.update_state(Tensor({1.f, 0.f}), Tensor({logit(0.9f), logit(0.1f)}), Tensor({2.f, 1.f}));
  CHECK(m.result().item<float>() == Approx(0.875));
}

TEST_CASE("AUC with multi_label averages the AUC of each label") {
  // Label 0 is Keras's documented example (0.75); label 1 separates perfectly (1.0).
  const Tensor y_true({0.f, 1.f, 0.f, 0.f, 1.f, 1.f, 1.f, 0.f}, {4, 2});
  const Tensor y_pred({0.f, 0.8f, 0.5f, 0.2f, 0.3f, 0.6f, 0.9f, 0.4f}, {4, 2});
  metrics::AUC m({.num_thresholds = 3, .multi_label = true});
  CHECK(m.variables().empty());  // built at the first update
  m.update_state(y_true, y_pred);
  CHECK(m.variables().size() == 4);
  CHECK(m.variables()[0].shape() == Shape{3, 2});
  CHECK(m.result().item<float>() == Approx(0.875));
  metrics::AUC weighted({.num_thresholds = 3, .multi_label = true, .num_labels = 2, .label_weights = {1.0, 3.0}});
  weighted.update_state(y_true, y_pred);
  CHECK(weighted.result().item<float>() == Approx((0.75 + 3.0) / 4.0));
}

TEST_CASE("AUC rejects bad arguments") {
  CHECK_THROWS_WITH_AS(metrics::AUC({.num_thresholds = 1}), doctest::Contains("num_thresholds"), ValueError);
  CHECK_THROWS_WITH_AS(metrics::AUC({.curve = "XY"}), doctest::Contains("Invalid AUC curve"), ValueError);
  CHECK_THROWS_WITH_AS(metrics::AUC({.summation_method = "sideways"}), doctest::Contains("summation method"),
                       ValueError);
  CHECK_THROWS_WITH_AS(metrics::AUC({.num_labels = 3}), doctest::Contains("multi_label"), ValueError);
}

}  // TEST_SUITE
