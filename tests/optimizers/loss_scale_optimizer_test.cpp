#include <keras/optimizers/optimizers.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

#include <limits>

using namespace keras;
using keras::testing::check_values;

TEST_SUITE("training") {

TEST_CASE("LossScaleOptimizer has Keras's defaults and scales the loss by the initial scale") {
  optimizers::LossScaleOptimizer lso(optimizers::SGD({.learning_rate = 0.1}));
  CHECK(lso.name() == "loss_scale_optimizer");
  CHECK(lso.initial_scale() == 32768.0);
  CHECK(lso.dynamic_growth_steps() == 2000);
  CHECK(lso.dynamic_scale() == 32768.0);
  CHECK(lso.scale_loss(Tensor::scalar(0.5f)).item<double>() == 16384.0);
  CHECK(lso.learning_rate() == doctest::Approx(0.1));
}

TEST_CASE("LossScaleOptimizer unscales finite gradients before the inner optimizer applies them") {
  optimizers::LossScaleOptimizer lso(optimizers::SGD({.learning_rate = 0.1}), {.initial_scale = 4.0});
  Variable w(Tensor({1.f, -2.f}), {.name = "w"});
  // The trainer differentiates scale_loss(loss), so the gradients arrive 4 times too large.
  lso.apply_gradients({Tensor({2.f, -4.f})}, {w});
  check_values(w.value(), {0.95, -1.9});  // w - 0.1 * [0.5, -1]
  CHECK(lso.iterations() == 1);
  CHECK(lso.step_counter() == 1);
  CHECK(lso.dynamic_scale() == 4.0);
  // Own variables first (Keras's order), then the inner optimizer's.
  const auto vars = lso.variables();
  REQUIRE(vars.size() == 6);
  CHECK(vars[0].name() == "iteration");
  CHECK(vars[1].name() == "learning_rate");
  CHECK(vars[2].name() == "step_counter");
  CHECK(vars[3].name() == "dynamic_scale");
  CHECK(vars[3].dtype() == DType::float32);
  CHECK(vars[4].name() == "iteration");
  CHECK(vars[4].value().item<int64_t>() == 1);
}

TEST_CASE("LossScaleOptimizer skips a step with a non-finite gradient and halves the scale") {
  optimizers::LossScaleOptimizer lso(optimizers::SGD({.learning_rate = 0.1}), {.initial_scale = 8.0});
  Variable w(Tensor({1.f, -2.f}), {.name = "w"});
  Variable b(Tensor({3.f}), {.name = "b"});
  lso.apply_gradients({Tensor({8.f, 8.f}), Tensor({8.f})}, {w, b});
  CHECK(lso.step_counter() == 1);
  const float inf = std::numeric_limits<float>::infinity();
  lso.apply_gradients({Tensor({8.f, 8.f}), Tensor({inf})}, {w, b});
  check_values(w.value(), {0.9, -2.1});  // only the first step moved it
  check_values(b.value(), {2.9});
  CHECK(lso.dynamic_scale() == 4.0);
  CHECK(lso.step_counter() == 0);
  CHECK(lso.iterations() == 1);  // the skipped step does not count
  lso.apply_gradients({Tensor({std::nanf(""), 0.f}), Tensor({1.f})}, {w, b});
  CHECK(lso.dynamic_scale() == 2.0);
  check_values(w.value(), {0.9, -2.1});
}

TEST_CASE("LossScaleOptimizer doubles the scale after dynamic_growth_steps finite steps") {
  optimizers::LossScaleOptimizer lso(optimizers::SGD({.learning_rate = 0.0}),
                                     {.initial_scale = 2.0, .dynamic_growth_steps = 3});
  Variable w(Tensor({1.f}), {.name = "w"});
  const std::vector<std::pair<int64_t, double>> expected = {{1, 2.0}, {2, 2.0}, {0, 4.0}, {1, 4.0}, {2, 4.0}, {0, 8.0}};
  for (const auto& [counter, scale] : expected) {
    lso.apply_gradients({Tensor({1.f})}, {w});
    CHECK(lso.step_counter() == counter);
    CHECK(lso.dynamic_scale() == scale);
  }
  CHECK(lso.scale_loss(Tensor::scalar(1.f)).item<double>() == 8.0);
  // A non-finite step resets the count: three more finite steps are needed to grow again.
  lso.apply_gradients({Tensor({std::numeric_limits<float>::infinity()})}, {w});
  CHECK(lso.dynamic_scale() == 4.0);
  for (int i = 0; i < 2; ++i) lso.apply_gradients({Tensor({1.f})}, {w});
  CHECK(lso.dynamic_scale() == 4.0);
  lso.apply_gradients({Tensor({1.f})}, {w});
  CHECK(lso.dynamic_scale() == 8.0);
}

TEST_CASE("LossScaleOptimizer clears the inner optimizer's loss_scale_factor, as Keras") {
  optimizers::SGD sgd({.learning_rate = 0.1, .loss_scale_factor = 16.0});
  optimizers::LossScaleOptimizer lso(sgd, {.initial_scale = 1.0});
  CHECK(lso.inner_optimizer().get_config()["loss_scale_factor"].is_null());
  Variable w(Tensor({1.f}), {.name = "w"});
  lso.apply_gradients({Tensor({1.f})}, {w});
  check_values(w.value(), {0.9});
}

TEST_CASE("LossScaleOptimizer serializes its inner optimizer and reads its config back") {
  optimizers::LossScaleOptimizer lso(optimizers::Adam({.learning_rate = 0.01}),
                                     {.initial_scale = 128.0, .dynamic_growth_steps = 10});
  const Config c = optimizers::serialize(lso);
  CHECK(c["class_name"] == "LossScaleOptimizer");
  CHECK(c["config"]["name"] == "loss_scale_optimizer");
  CHECK(c["config"]["initial_scale"] == 128.0);
  CHECK(c["config"]["dynamic_growth_steps"] == 10);
  CHECK(c["config"]["inner_optimizer"]["class_name"] == "Adam");
  CHECK(c["config"].size() == 4);
  auto back = std::dynamic_pointer_cast<optimizers::LossScaleOptimizer>(optimizers::deserialize(c));
  REQUIRE(back);
  CHECK(back->initial_scale() == 128.0);
  CHECK(back->dynamic_growth_steps() == 10);
  CHECK(back->inner_optimizer().class_name() == "Adam");
  CHECK(back->learning_rate() == doctest::Approx(0.01));
  Config bad = c;
  bad["config"]["clipnorm"] = 1.0;
  CHECK_THROWS_WITH_AS(optimizers::deserialize(bad), doctest::Contains("does not support `clipnorm`"), ValueError);
  CHECK_THROWS_WITH_AS(optimizers::LossScaleOptimizer(optimizers::SGD(), {.dynamic_growth_steps = 0}),
                       doctest::Contains("dynamic_growth_steps"), ValueError);
}

}  // TEST_SUITE
