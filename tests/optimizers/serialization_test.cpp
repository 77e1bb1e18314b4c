#include <keras/optimizers/optimizers.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace keras;

TEST_SUITE("training") {

TEST_CASE("get_optimizer makes each Keras optimizer by name, case-insensitively, with Keras's defaults") {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"sgd", "SGD"},           {"adam", "Adam"},         {"adamw", "AdamW"},   {"rmsprop", "RMSprop"},
      {"adagrad", "Adagrad"},   {"adadelta", "Adadelta"}, {"adamax", "Adamax"}, {"nadam", "Nadam"},
      {"lion", "Lion"}};
  for (const auto& [name, class_name] : expected) {
    const auto optimizer = get_optimizer(name);
    CHECK(optimizer->class_name() == class_name);
    CHECK(get_optimizer(class_name)->class_name() == class_name);
  }
  CHECK(get_optimizer("sgd")->name() == "SGD");
  CHECK(get_optimizer("rmsprop")->name() == "rmsprop");
  CHECK(get_optimizer("sgd")->learning_rate() == doctest::Approx(0.01));
  CHECK(get_optimizer("adadelta")->learning_rate() == doctest::Approx(0.001));
  CHECK_THROWS_WITH_AS(get_optimizer("typo"), doctest::Contains("Could not interpret optimizer identifier: typo"),
                       ValueError);
  CHECK_THROWS_WITH_AS(get_optimizer("ftrl"), doctest::Contains("does not implement"), NotImplementedError);
  const OptimizerArg arg = "adam";
  CHECK(arg.get()->class_name() == "Adam");
}

TEST_CASE("every optimizer's config round-trips through serialize and deserialize") {
  std::vector<std::shared_ptr<optimizers::Optimizer>> all = {
      std::make_shared<optimizers::SGD>(optimizers::SGDOptions{.learning_rate = 0.5, .momentum = 0.5, .nesterov = true}),
      std::make_shared<optimizers::Adam>(optimizers::AdamOptions{.beta_1 = 0.5, .amsgrad = true, .clipnorm = 1.0}),
      std::make_shared<optimizers::AdamW>(optimizers::AdamWOptions{.weight_decay = 0.1, .use_ema = true}),
      std::make_shared<optimizers::RMSprop>(optimizers::RMSpropOptions{.rho = 0.8, .centered = true, .name = "r"}),
      std::make_shared<optimizers::Adagrad>(optimizers::AdagradOptions{.initial_accumulator_value = 0.2}),
      std::make_shared<optimizers::Adadelta>(optimizers::AdadeltaOptions{.gradient_accumulation_steps = 4}),
      std::make_shared<optimizers::Adamax>(optimizers::AdamaxOptions{.ema_overwrite_frequency = 3}),
      std::make_shared<optimizers::Nadam>(optimizers::NadamOptions{.loss_scale_factor = 128.0}),
      std::make_shared<optimizers::Lion>(optimizers::LionOptions{
          .learning_rate = optimizers::schedules::CosineDecay(0.1, 100), .global_clipnorm = 2.0}),
  };
  for (const auto& optimizer : all) {
    const Config dict = optimizers::serialize(*optimizer);
    CHECK(dict["module"] == "keras.optimizers");
    CHECK(dict["class_name"] == optimizer->class_name());
    CHECK(dict["registered_name"].is_null());
    const auto back = optimizers::deserialize(Config::parse(dict.dump()));
    CHECK(back->class_name() == optimizer->class_name());
    CHECK(back->get_config() == optimizer->get_config());
  }
}

TEST_CASE("deserialize reads the optimizer of a Keras 3.16 compile_config") {
  // fixtures/keras/mlp.keras: compile_config.optimizer, written by Keras on torch.
  const Config dict = Config::parse(R"({"module": "keras.src.backend.torch.optimizers.torch_adam",
      "class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.0010000000474974513,
      "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false,
      "ema_momentum": 0.99, "ema_overwrite_frequency": null, "loss_scale_factor": null,
      "gradient_accumulation_steps": null, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false},
      "registered_name": "Adam"})");
  const auto adam = optimizers::deserialize(dict);
  CHECK(adam->class_name() == "Adam");
  CHECK(adam->get_config() == dict["config"]);
  CHECK(adam->get_config().dump() == dict["config"].dump());
}

TEST_CASE("deserialize rejects unknown arguments and AdamW without weight decay") {
  CHECK_THROWS_WITH_AS(
      optimizers::deserialize(Config::parse(R"({"class_name": "SGD", "config": {"learning_rate": 0.1, "beta": 1}})")),
      doctest::Contains("'beta'"), ValueError);
  CHECK_THROWS_WITH_AS(
      optimizers::deserialize(Config::parse(R"({"class_name": "AdamW", "config": {"weight_decay": null}})")),
      doctest::Contains("weight_decay"), ValueError);
  CHECK_THROWS_WITH_AS(optimizers::deserialize(Config::parse(R"({"config": {}})")), doctest::Contains("class_name"),
                       ValueError);
  // Keras 3 ignores Keras 2's `decay`.
  CHECK(optimizers::deserialize(Config::parse(R"({"class_name": "sgd", "config": {"decay": 0.0}})"))->class_name() ==
        "SGD");
}

}  // TEST_SUITE
