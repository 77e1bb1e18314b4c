#include <keras/keras.h>
#include <keras/losses/losses.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/gradient_check.h"

#include <utility>
#include <vector>

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("training") {

TEST_CASE("LossArg resolves Keras's loss names and aliases") {
  const std::vector<std::pair<const char*, const char*>> names = {
      {"mse", "MeanSquaredError"},
      {"MSE", "MeanSquaredError"},
      {"mean_squared_error", "MeanSquaredError"},
      {"mae", "MeanAbsoluteError"},
      {"mean_absolute_error", "MeanAbsoluteError"},
      {"mape", "MeanAbsolutePercentageError"},
      {"mean_absolute_percentage_error", "MeanAbsolutePercentageError"},
      {"msle", "MeanSquaredLogarithmicError"},
      {"mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"},
      {"cosine_similarity", "CosineSimilarity"},
      {"huber", "Huber"},
      {"log_cosh", "LogCosh"},
      {"logcosh", "LogCosh"},
      {"kld", "KLDivergence"},
      {"KLD", "KLDivergence"},
      {"kl_divergence", "KLDivergence"},
      {"kullback_leibler_divergence", "KLDivergence"},
      {"poisson", "Poisson"},
      {"bce", "BinaryCrossentropy"},
      {"binary_crossentropy", "BinaryCrossentropy"},
      {"binary_focal_crossentropy", "BinaryFocalCrossentropy"},
      {"categorical_crossentropy", "CategoricalCrossentropy"},
      {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
      {"hinge", "Hinge"},
      {"squared_hinge", "SquaredHinge"},
      {"categorical_hinge", "CategoricalHinge"},
  };
  for (const auto& entry : names) {
    const auto& name = entry.first;
    const auto& class_name = entry.second;
    CAPTURE(name);
    const LossArg arg(name);
    REQUIRE(arg.defined());
    CHECK(arg->class_name() == class_name);
    CHECK(arg->name() == name);  // the function is wrapped under the name given, as Keras's compile does
    CHECK(arg->reduction() == "sum_over_batch_size");
    CHECK(arg.to_config() == Config(name));
  }
}

TEST_CASE("LossArg resolves Keras class names to default instances") {
  const LossArg arg("SparseCategoricalCrossentropy");
  CHECK(arg->class_name() == "SparseCategoricalCrossentropy");
  CHECK(arg->name() == "sparse_categorical_crossentropy");
  CHECK(arg.to_config() == Config("SparseCategoricalCrossentropy"));
  CHECK(LossArg("Huber")->name() == "huber_loss");
}

TEST_CASE("A loss resolved from a name computes that loss") {
  const Tensor t({0.0, 1.0, 0.0, 0.0}, {2, 2}), p({1.0, 1.0, 1.0, 0.0}, {2, 2});
  CHECK((*LossArg("mse"))(t, p).item<double>() == doctest::Approx(0.5));
  CHECK((*LossArg("mae"))(t, p).item<double>() == doctest::Approx(0.5));
  CHECK((*LossArg("sparse_categorical_crossentropy"))(Tensor({1}), Tensor({0.25, 0.75}, {1, 2})).item<double>() ==
        doctest::Approx(-std::log(0.75)));
}

TEST_CASE("An unknown loss name is a ValueError listing the known ones") {
  CHECK_THROWS_WITH_AS(LossArg("mean_square_error"), doctest::Contains("Could not interpret loss identifier: 'mean_square_error'"),
                       ValueError);
  CHECK_THROWS_WITH_AS(LossArg("xyz"), doctest::Contains("categorical_crossentropy"), ValueError);
  CHECK_THROWS_WITH_AS(*LossArg(), doctest::Contains("no loss"), ValueError);
}

TEST_CASE("LossArg of an object records Keras's serialised dict") {
  const LossArg arg(losses::BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.1}));
  const Config expected = Config::parse(R"({"module": "keras.losses", "class_name": "BinaryCrossentropy",
      "config": {"name": "binary_crossentropy", "reduction": "sum_over_batch_size", "from_logits": true,
                 "label_smoothing": 0.1, "axis": -1}, "registered_name": null})");
  CHECK(arg.to_config() == expected);
  CHECK(arg->name() == "binary_crossentropy");
}

TEST_CASE("Every loss class survives a config round trip with non-default arguments") {
  using namespace losses;
  const std::vector<LossArg> args = {
      MeanSquaredError({.name = "a", .reduction = "sum"}),
      MeanAbsoluteError({.reduction = "none"}),
      MeanAbsolutePercentageError({.name = "b"}),
      MeanSquaredLogarithmicError({.reduction = "mean"}),
      CosineSimilarity({.axis = 0, .reduction = "sum", .name = "cos"}),
      Huber({.delta = 2.5, .name = "h"}),
      LogCosh({.reduction = "mean_with_sample_weight"}),
      KLDivergence({.name = "k"}),
      Poisson({.reduction = "sum"}),
      BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.2, .axis = 1, .reduction = "sum", .name = "x"}),
      BinaryFocalCrossentropy({.apply_class_balancing = true, .alpha = 0.4, .gamma = 3.0, .from_logits = true,
                               .label_smoothing = 0.1, .axis = 0, .reduction = "none", .name = "f"}),
      CategoricalCrossentropy({.from_logits = true, .label_smoothing = 0.3, .axis = 0, .name = "c"}),
      SparseCategoricalCrossentropy({.from_logits = true, .ignore_class = 255, .reduction = "sum"}),
      SparseCategoricalCrossentropy({.name = "s"}),
      Hinge({.name = "hi"}),
      SquaredHinge({.reduction = "sum"}),
      CategoricalHinge({.name = "ch"}),
  };
  for (const LossArg& arg : args) {
    CAPTURE(arg.to_config().dump());
    const Config config = arg.to_config();
    const LossArg back = LossArg::from_config(Config::parse(config.dump()));
    CHECK(back.to_config() == config);
    CHECK(back->class_name() == arg->class_name());
    CHECK(back->name() == arg->name());
  }
}

TEST_CASE("Loss configs carry Keras's keys") {
  CHECK(losses::SparseCategoricalCrossentropy().get_config() ==
        Config::parse(R"({"name": "sparse_categorical_crossentropy", "reduction": "sum_over_batch_size",
                          "from_logits": false, "ignore_class": null})"));
  CHECK(losses::BinaryFocalCrossentropy().get_config() ==
        Config::parse(R"({"name": "binary_focal_crossentropy", "reduction": "sum_over_batch_size",
                          "from_logits": false, "label_smoothing": 0.0, "axis": -1,
                          "apply_class_balancing": false, "alpha": 0.25, "gamma": 2.0})"));
  CHECK(losses::MeanSquaredError().get_config() ==
        Config::parse(R"({"name": "mean_squared_error", "reduction": "sum_over_batch_size"})"));
  CHECK(losses::Huber().get_config()["delta"] == 1.0);
}

TEST_CASE("LossArg reads the dicts Keras writes, including reduction None and wrapped functions") {
  const LossArg scce = LossArg::from_config(Config::parse(R"({"module": "keras.losses",
      "class_name": "SparseCategoricalCrossentropy", "config": {"name": "scce", "reduction": null,
      "from_logits": true, "ignore_class": -1}, "registered_name": null})"));
  CHECK(scce->reduction() == "none");
  CHECK(scce->name() == "scce");
  CHECK(scce->get_config()["ignore_class"] == -1);

  const LossArg wrapped = LossArg::from_config(Config::parse(R"({"module": "keras.losses",
      "class_name": "LossFunctionWrapper", "config": {"name": "bce", "reduction": "sum",
      "fn": {"module": "keras.src.losses.losses", "class_name": "function", "config": "binary_crossentropy",
             "registered_name": "binary_crossentropy"}, "from_logits": true}, "registered_name": null})"));
  CHECK(wrapped->class_name() == "BinaryCrossentropy");
  CHECK(wrapped->reduction() == "sum");
  CHECK(wrapped->get_config()["from_logits"] == true);

  const LossArg fn = LossArg::from_config(Config::parse(R"({"module": "keras.losses", "class_name": "function",
      "config": "mean_squared_error", "registered_name": null})"));
  CHECK(fn->class_name() == "MeanSquaredError");
  CHECK(LossArg::from_config(Config("mse"))->class_name() == "MeanSquaredError");
  CHECK_FALSE(LossArg::from_config(Config(nullptr)).defined());
}

TEST_CASE("LossArg rejects configs it cannot restore") {
  CHECK_THROWS_WITH_AS(LossArg::from_config(Config::parse(R"({"class_name": "function", "config": "my_loss"})")),
                       doctest::Contains("my_loss"), ValueError);
  CHECK_THROWS_WITH_AS(LossArg::from_config(Config::parse(R"({"class_name": "Nope", "config": {}})")),
                       doctest::Contains("'Nope'"), ValueError);
  CHECK_THROWS_WITH_AS(LossArg::from_config(Config::parse(R"({"class_name": "Huber", "config": {"delta": "x"}})")),
                       doctest::Contains("malformed config"), ValueError);
  CHECK_THROWS_WITH_AS(LossArg::from_config(Config::parse(R"({"class_name": "MeanSquaredError",
                           "config": {"reduction": "auto"}})")),
                       doctest::Contains("reduction"), ValueError);
  CHECK_THROWS_WITH_AS(LossArg::from_config(Config(3)), doctest::Contains("expected a name"), ValueError);
}

TEST_CASE("LossArg wraps a callable as Keras wraps a function") {
  const LossArg arg([](const Tensor& t, const Tensor& p) { return ops::sum(ops::abs(t - p), -1); }, "l1");
  CHECK(arg->class_name() == "LossFunctionWrapper");
  CHECK(arg->name() == "l1");
  CHECK(arg.to_config() == Config::parse(R"({"module": "builtins", "class_name": "function", "config": "l1",
                                             "registered_name": "l1"})"));
  // (batch,) labels meet (batch, 1) predictions after the wrapper's rank matching.
  CHECK((*arg)(Tensor({1.0, 2.0}), Tensor({0.5, 2.5}, {2, 1})).item<double>() == doctest::Approx(0.5));
  CHECK(LossArg([](const Tensor& t, const Tensor& p) { return t - p; })->name() == "custom_loss");
}

TEST_CASE("LossArg copies share the same loss object") {
  const LossArg a(losses::Huber({.delta = 2.0}));
  const LossArg b = a;
  CHECK(&*a == &*b);
}

}  // TEST_SUITE
