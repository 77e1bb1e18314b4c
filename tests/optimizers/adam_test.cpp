#include <keras/optimizers/adam.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

using namespace keras;
using keras::testing::check_values;
using keras::testing::two_steps;

TEST_SUITE("training") {

TEST_CASE("Adam's first two steps match the bias-corrected update") {
  optimizers::Adam adam({.learning_rate = 0.1});
  const auto w = two_steps(adam);
  // t = 1: m = 0.1 g1 = [0.05, -0.1], v = 0.001 g1² = [0.00025, 0.001]
  //   alpha = 0.1·sqrt(1 - 0.999)/(1 - 0.9) = 0.0316227766
  //   w1 = w - alpha·m/(sqrt(v) + 1e-7) = [1 - 0.0316227766·0.05/0.0158114883, -2 + 0.0316227766·0.1/0.0316228766]
  check_values(w.first, {0.900000632, -1.900000316});
  // t = 2: m = 0.9 m + 0.1 g2 = [0.07, 0.11], v = 0.999 v + 0.001 g2² = [0.00031225, 0.004999]
  //   alpha = 0.1·sqrt(1 - 0.999²)/(1 - 0.9²) = 0.0235316725
  //   w2 = w1 - alpha·m/(sqrt(v) + 1e-7) = [0.900000632 - 0.0932174364, -1.900000316 - 0.0366103009]
  check_values(w.second, {0.806783196, -1.936610617});
  const auto vars = adam.variables();
  REQUIRE(vars.size() == 4);
  check_values(vars[2].value(), {0.07, 0.11});
  check_values(vars[3].value(), {0.00031225, 0.004999});
}

TEST_CASE("Adam adds epsilon to sqrt(v) without bias-correcting it") {
  optimizers::Adam adam({.learning_rate = 0.1});
  Variable w(Tensor({0.f}), {.name = "w"});
  // g = 1e-6: m = 1e-7, v = 1e-15, sqrt(v) = 3.16227766e-8 is below epsilon:
  //   w1 = -0.0316227766·1e-7/(3.16227766e-8 + 1e-7) = -0.0240253073
  adam.apply_gradients({Tensor({1e-6f})}, {w});
  check_values(w.value(), {-0.0240253073});
}

TEST_CASE("Adam with amsgrad divides by the largest velocity seen") {
  optimizers::Adam adam({.learning_rate = 0.1, .amsgrad = true});
  Variable w(Tensor({1.f}), {.name = "w"});
  // t = 1: g = 1: m = 0.1, v = 0.001, w1 = 1 - 0.0316227766·0.1/(0.0316227766 + 1e-7) = 0.900000316
  adam.apply_gradients({Tensor({1.f})}, {w});
  check_values(w.value(), {0.900000316});
  // t = 2: g = 0: m = 0.09, v = 0.000999 < v_hat = 0.001;
  //   w2 = w1 - 0.0235316725·0.09/(sqrt(0.001) + 1e-7) = 0.833028214 (plain Adam: sqrt(0.000999) -> 0.832994703)
  adam.apply_gradients({Tensor({0.f})}, {w});
  check_values(w.value(), {0.833028214});
  const auto vars = adam.variables();
  REQUIRE(vars.size() == 5);
  CHECK(vars[4].name() == "w_velocity_hat");
  check_values(vars[4].value(), {0.001});
}

TEST_CASE("Adam's velocity_hats come after every momentum and velocity") {
  optimizers::Adam adam({.amsgrad = true});
  Variable a(Tensor({1.f}), {.name = "a"});
  Variable b(Tensor({1.f, 2.f}), {.name = "b"});
  adam.build({a, b});
  std::vector<std::string> names;
  for (const Variable& v : adam.variables()) names.push_back(v.name());
  CHECK(names == std::vector<std::string>{"iteration", "learning_rate", "a_momentum", "a_velocity", "b_momentum",
                                          "b_velocity", "a_velocity_hat", "b_velocity_hat"});
}

TEST_CASE("AdamW decays the weights by lr·weight_decay before each Adam step") {
  optimizers::AdamW adamw({.learning_rate = 0.1});
  CHECK(adamw.name() == "adamw");
  const auto w = two_steps(adamw);
  // decay: w·(1 - 0.004·0.1) = [0.9996, -1.9992]; then Adam's step 1 moves by [-0.099999368, 0.099999684]
  check_values(w.first, {0.899600632, -1.899200316});
  // decay: [0.899600632·0.9996, -1.899200316·0.9996] = [0.899240792, -1.898440636];
  // then Adam's step 2 moves by [-0.0932174364, -0.0366103009]
  check_values(w.second, {0.806023356, -1.935050937});
}

TEST_CASE("Adam and AdamW have Keras's defaults and config keys") {
  optimizers::Adam adam;
  CHECK(adam.name() == "adam");
  CHECK(adam.learning_rate() == doctest::Approx(0.001));
  std::vector<std::string> keys;
  const Config config = adam.get_config();
  for (const auto& [key, value] : config.items()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm",
                                         "clipvalue", "use_ema", "ema_momentum", "ema_overwrite_frequency",
                                         "loss_scale_factor", "gradient_accumulation_steps", "beta_1", "beta_2",
                                         "epsilon", "amsgrad"});
  // The learning rate is the float32 variable's value, as Keras writes it (fixtures/keras/mlp.keras).
  CHECK(adam.get_config()["learning_rate"].get<double>() == 0.0010000000474974513);
  CHECK(adam.get_config()["epsilon"].get<double>() == 1e-7);
  optimizers::AdamW adamw;
  CHECK(adamw.get_config()["weight_decay"].get<double>() == 0.004);
  CHECK(adamw.class_name() == "AdamW");
}

}  // TEST_SUITE
