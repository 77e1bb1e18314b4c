#include <keras/optimizers/rmsprop.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

using namespace keras;
using keras::testing::check_values;
using keras::testing::two_steps;

TEST_SUITE("training") {

TEST_CASE("RMSprop scales the step by the root of the running mean square, epsilon inside the root") {
  optimizers::RMSprop rmsprop({.learning_rate = 0.1});
  const auto w = two_steps(rmsprop);
  // v1 = 0.1 g1² = [0.025, 0.1];  w1 = w - 0.1 g1/sqrt(v1 + 1e-7) = [1 - 0.05/0.158114199, -2 + 0.1/0.316227924]
  check_values(w.first, {0.683772866, -1.683772392});
  // v2 = 0.9 v1 + 0.1 g2² = [0.02875, 0.49];  w2 = w1 - 0.1 g2/sqrt(v2 + 1e-7) = [w1 - 0.025/0.169558544, w1 - 0.2/0.700000071]
  check_values(w.second, {0.536331167, -1.969486649});
  CHECK(rmsprop.variables().size() == 3);  // iteration, learning_rate, w_velocity
}

TEST_CASE("RMSprop adds epsilon inside the square root") {
  optimizers::RMSprop rmsprop({.learning_rate = 0.1});
  Variable w(Tensor({0.f}), {.name = "w"});
  // g = 1e-4: v = 0.1·1e-8 = 1e-9;  w1 = -0.1·1e-4/sqrt(1e-9 + 1e-7) = -1e-5/3.17804972e-4
  // (epsilon outside the root would give -1e-5/(3.16227766e-5 + 1e-7) = -0.315)
  rmsprop.apply_gradients({Tensor({1e-4f})}, {w});
  check_values(w.value(), {-0.0314658388});
}

TEST_CASE("RMSprop centered with momentum subtracts the mean gradient and accumulates the steps") {
  optimizers::RMSprop rmsprop({.learning_rate = 0.1, .momentum = 0.5, .centered = true});
  const auto w = two_steps(rmsprop);
  // a1 = 0.1 g1 = [0.05, -0.1];  v1 - a1² + 1e-7 = [0.0225001, 0.0900001];
  // m1 = 0.1 g1/sqrt(...) = [0.05/0.150000333, -0.1/0.300000167] = [0.333332593, -0.333333148];  w1 = w - m1
  check_values(w.first, {0.666667407, -1.666666852});
  // a2 = 0.9 a1 + 0.1 g2 = [0.07, 0.11];  v2 - a2² + 1e-7 = [0.0238501, 0.4779001];
  // m2 = 0.5 m1 + 0.1 g2/sqrt(...) = [0.166666296 + 0.161880638, -0.166666574 + 0.289308661];  w2 = w1 - m2
  check_values(w.second, {0.338120473, -1.789308939});
  std::vector<std::string> names;
  for (const Variable& v : rmsprop.variables()) names.push_back(v.name());
  CHECK(names == std::vector<std::string>{"iteration", "learning_rate", "w_velocity", "w_momentum", "w_average_gradient"});
}

TEST_CASE("RMSprop has Keras's defaults") {
  optimizers::RMSprop rmsprop;
  const Config c = rmsprop.get_config();
  CHECK(c["name"] == "rmsprop");
  CHECK(c["rho"] == 0.9);
  CHECK(c["momentum"] == 0.0);
  CHECK(c["epsilon"] == 1e-7);
  CHECK(c["centered"] == false);
}

}  // TEST_SUITE
