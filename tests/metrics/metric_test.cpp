#include <keras/keras.h>
#include <keras/metrics/metrics.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <memory>

using namespace keras;
using doctest::Approx;

namespace {

template <class T>
bool is_a(const std::shared_ptr<metrics::Metric>& m) {
  return dynamic_cast<T*>(m.get()) != nullptr;
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("A metric keeps its state in non-trainable variables of its dtype") {
  metrics::Mean m({.name = "loss_mean", .dtype = DType::float64});
  REQUIRE(m.variables().size() == 2);
  CHECK(m.variables()[0].name() == "total");
  CHECK(m.variables()[1].name() == "count");
  CHECK_FALSE(m.variables()[0].trainable());
  CHECK(m.variables()[0].dtype() == DType::float64);
  CHECK(m.get_config() == Config{{"name", "loss_mean"}, {"dtype", "float64"}});
  metrics::Precision p;
  CHECK(p.variables()[0].dtype() == DType::float32);
  CHECK(p.variables()[0].shape() == Shape{1});
}

TEST_CASE("Copies of a metric share its state, including state built at the first update") {
  metrics::Mean a;
  metrics::Mean b = a;
  b.update_state(Tensor({2.f, 4.f}));
  CHECK(a.result().item<float>() == Approx(3.0));
  a.reset_state();
  CHECK(b.result().item<float>() == 0.f);

  metrics::R2Score r;
  metrics::R2Score r_copy = r;
  r_copy.update_state(Tensor({1.f, 4.f, 3.f}, {3, 1}), Tensor({2.f, 4.f, 4.f}, {3, 1}));
  CHECK(r.variables().size() == 5);
  CHECK(r.result().item<float>() == Approx(4.0 / 7.0));

  metrics::AUC auc({.num_thresholds = 3});
  MetricArg arg(auc);
  arg.resolve(Shape{4}, Shape{4})->update_state(Tensor({0.f, 0.f, 1.f, 1.f}), Tensor({0.f, 0.5f, 0.3f, 0.9f}));
  CHECK(auc.result().item<float>() == Approx(0.75));
  CHECK(arg.resolve(Shape{4}, Shape{4}) == arg.resolve(Shape{4}, Shape{4}));

  auto held = std::make_shared<metrics::Sum>(metrics::MetricOptions{.name = "held"});
  const MetricArg by_pointer{std::shared_ptr<metrics::Metric>(held)};
  CHECK(by_pointer.given_name() == "held");
  CHECK(by_pointer.resolve({}, {}) == held);
  CHECK_THROWS_AS(MetricArg(std::shared_ptr<metrics::Metric>()), ValueError);
}

TEST_CASE("MetricArg resolves accuracy and crossentropy from the first batch's shapes, keeping the name") {
  const MetricArg accuracy("accuracy");
  auto binary = accuracy.resolve(Shape{32, 1}, Shape{32, 1});
  CHECK(is_a<metrics::BinaryAccuracy>(binary));
  CHECK(binary->name() == "accuracy");
  CHECK(is_a<metrics::SparseCategoricalAccuracy>(accuracy.resolve(Shape{32}, Shape{32, 10})));
  CHECK(is_a<metrics::SparseCategoricalAccuracy>(accuracy.resolve(Shape{32, 1}, Shape{32, 10})));
  CHECK(is_a<metrics::CategoricalAccuracy>(accuracy.resolve(Shape{32, 10}, Shape{32, 10})));
  auto acc = MetricArg("acc").resolve(Shape{32, 10}, Shape{32, 10});
  CHECK(is_a<metrics::CategoricalAccuracy>(acc));
  CHECK(acc->name() == "acc");
  CHECK(MetricArg("Accuracy").resolve(Shape{8}, Shape{8, 1})->name() == "Accuracy");

  const MetricArg ce("ce");
  CHECK(is_a<metrics::BinaryCrossentropy>(ce.resolve(Shape{32, 1}, Shape{32, 1})));
  CHECK(is_a<metrics::SparseCategoricalCrossentropy>(ce.resolve(Shape{32}, Shape{32, 10})));
  auto cce = MetricArg("crossentropy").resolve(Shape{32, 10}, Shape{32, 10});
  CHECK(is_a<metrics::CategoricalCrossentropy>(cce));
  CHECK(cce->name() == "crossentropy");
}

TEST_CASE("MetricArg makes a new metric per resolve from Keras's names and aliases") {
  auto mse = MetricArg("mse").resolve(Shape{4, 1}, Shape{4, 1});
  CHECK(is_a<metrics::MeanSquaredError>(mse));
  CHECK(mse->name() == "mse");
  CHECK(mse != MetricArg("mse").resolve(Shape{4, 1}, Shape{4, 1}));
  CHECK(is_a<metrics::MeanAbsoluteError>(MetricArg("MAE").resolve({}, {})));
  CHECK(is_a<metrics::MeanAbsolutePercentageError>(MetricArg("mape").resolve({}, {})));
  CHECK(is_a<metrics::MeanSquaredLogarithmicError>(MetricArg("msle").resolve({}, {})));
  CHECK(is_a<metrics::BinaryCrossentropy>(MetricArg("bce").resolve({}, {})));
  auto auc = MetricArg("auc").resolve({}, {});
  CHECK(is_a<metrics::AUC>(auc));
  CHECK(auc->name() == "auc");
  CHECK(is_a<metrics::Precision>(MetricArg("precision").resolve({}, {})));
  CHECK(is_a<metrics::Recall>(MetricArg("Recall").resolve({}, {})));
  CHECK(is_a<metrics::F1Score>(MetricArg("f1_score").resolve({}, {})));
  CHECK(is_a<metrics::R2Score>(MetricArg("r2_score").resolve({}, {})));
  CHECK(is_a<metrics::KLDivergence>(MetricArg("kl_divergence").resolve({}, {})));
  CHECK(is_a<metrics::TopKCategoricalAccuracy>(MetricArg("top_k_categorical_accuracy").resolve({}, {})));
  CHECK(is_a<metrics::LogCoshError>(MetricArg("log_cosh_error").resolve({}, {})));
  CHECK_THROWS_WITH_AS(MetricArg("accuracyy"), doctest::Contains("Could not interpret metric identifier: accuracyy"),
                       ValueError);
}

TEST_CASE("MetricArg wraps a callable as a MeanMetricWrapper under its name") {
  const MetricArg arg([](const Tensor& y_true, const Tensor& y_pred) { return ops::abs(y_true - y_pred); }, "l1");
  auto m = arg.resolve(Shape{2, 1}, Shape{2, 1});
  CHECK(is_a<metrics::MeanMetricWrapper>(m));
  CHECK(m->name() == "l1");
  m->update_state(Tensor({1.f, 2.f}, {2, 1}), Tensor({2.f, 4.f}, {2, 1}));
  CHECK(m->result().item<float>() == Approx(1.5));
  CHECK(arg.resolve(Shape{2, 1}, Shape{2, 1})->result().item<float>() == 0.f);  // a fresh one
  CHECK(arg.to_config()["class_name"] == "function");
  CHECK_THROWS_AS(MetricArg::from_config(arg.to_config()), ValueError);
}

TEST_CASE("MetricArg serialises names as given and objects as Keras object dicts") {
  CHECK(MetricArg("acc").to_config() == Config("acc"));
  CHECK(MetricArg::from_config(Config("mae")).given_name() == "mae");
  metrics::BinaryAccuracy b({.name = "bin", .threshold = 0.3});
  const Config c = MetricArg(b).to_config();
  CHECK(c == Config::parse(R"({"module": "keras.metrics", "class_name": "BinaryAccuracy",
                               "config": {"name": "bin", "dtype": "float32", "threshold": 0.3},
                               "registered_name": null})"));
  metrics::AUC auc({.name = "auc"});
  CHECK(auc.get_config() == Config::parse(R"({"name": "auc", "dtype": "float32", "num_thresholds": 200,
      "curve": "ROC", "summation_method": "interpolation", "multi_label": false, "num_labels": null,
      "label_weights": null, "from_logits": false})"));
  CHECK(metrics::Precision({.name = "p"}).get_config() ==
        Config::parse(R"({"name": "p", "dtype": "float32", "thresholds": null, "top_k": null, "class_id": null})"));
  CHECK(metrics::F1Score({.name = "f"}).get_config() ==
        Config::parse(R"({"name": "f", "dtype": "float32", "average": null, "threshold": null})"));
  // Keras 2 style and DTypePolicy dtypes read too.
  const MetricArg keras2 = MetricArg::from_config(Config::parse(
      R"({"class_name": "MeanSquaredError", "config": {"name": "m", "dtype": {"module": "keras",
          "class_name": "DTypePolicy", "config": {"name": "float64"}}}})"));
  auto mse = keras2.resolve({}, {});
  CHECK(mse->name() == "m");
  CHECK(mse->dtype() == DType::float64);
  CHECK_THROWS_WITH_AS(MetricArg::from_config(Config::parse(R"({"class_name": "Bogus", "config": {}})")),
                       doctest::Contains("Unknown metric class 'Bogus'"), ValueError);
}

TEST_CASE("Every built-in metric's config round-trips") {
  const std::vector<MetricArg> args = {
      metrics::Mean({.name = "a"}), metrics::Sum({.name = "b"}), metrics::Accuracy({.name = "c"}),
      metrics::BinaryAccuracy({.name = "d", .threshold = 0.25}), metrics::CategoricalAccuracy({.name = "e"}),
      metrics::SparseCategoricalAccuracy({.name = "f"}), metrics::TopKCategoricalAccuracy({.k = 3, .name = "g"}),
      metrics::SparseTopKCategoricalAccuracy({.k = 2, .name = "h"}),
      metrics::AUC({.num_thresholds = 50, .curve = "pr", .summation_method = "Minoring", .name = "i",
                    .thresholds = {0.7, 0.2}, .multi_label = true, .num_labels = 2, .label_weights = {1.0, 2.0},
                    .from_logits = true}),
      metrics::Precision({.thresholds = {0.2, 0.6}, .top_k = 2, .class_id = 1, .name = "j"}),
      metrics::Recall({.thresholds = {0.4}, .name = "k"}), metrics::TruePositives({.thresholds = {0.3}, .name = "l"}),
      metrics::FalsePositives({.name = "m"}), metrics::TrueNegatives({.name = "n"}), metrics::FalseNegatives({.name = "o"}),
      metrics::F1Score({.average = "macro", .threshold = 0.4, .name = "p"}),
      metrics::FBetaScore({.average = "weighted", .beta = 2.0, .name = "q"}),
      metrics::MeanSquaredError({.name = "r"}), metrics::MeanAbsoluteError({.name = "s"}),
      metrics::RootMeanSquaredError({.name = "t"}), metrics::R2Score({.class_aggregation = std::nullopt, .num_regressors = 2, .name = "u"}),
      metrics::MeanAbsolutePercentageError({.name = "v"}), metrics::MeanSquaredLogarithmicError({.name = "w"}),
      metrics::BinaryCrossentropy({.name = "x", .from_logits = true, .label_smoothing = 0.1}),
      metrics::CategoricalCrossentropy({.name = "y", .label_smoothing = 0.2, .axis = 1}),
      metrics::SparseCategoricalCrossentropy({.name = "z", .from_logits = true}), metrics::KLDivergence({.name = "aa"}),
      metrics::Poisson({.name = "ab"}), metrics::Hinge({.name = "ac"}), metrics::SquaredHinge({.name = "ad"}),
      metrics::CategoricalHinge({.name = "ae"}), metrics::LogCoshError({.name = "af"}),
      metrics::CosineSimilarity({.name = "ag", .axis = 0}),
  };
  for (const MetricArg& arg : args) {
    const Config config = arg.to_config();
    CAPTURE(config.dump());
    const MetricArg back = MetricArg::from_config(config);
    CHECK(back.to_config() == config);
    CHECK(back.resolve({}, {})->class_name() == config["class_name"].get<std::string>());
  }
  CHECK(args[8].to_config()["config"]["curve"] == "PR");
  CHECK(args[8].to_config()["config"]["thresholds"] == Config::parse("[0.2, 0.7]"));
}

TEST_CASE("Unnamed Precision, Recall and AUC take Keras's unique auto names") {
  metrics::Precision a, b;
  CHECK(a.name().rfind("precision", 0) == 0);
  CHECK(b.name().rfind("precision_", 0) == 0);
  CHECK(a.name() != b.name());
  CHECK(metrics::Recall().name().rfind("recall", 0) == 0);
  CHECK(metrics::FalsePositives().name().rfind("false_positives", 0) == 0);
}

}  // TEST_SUITE
