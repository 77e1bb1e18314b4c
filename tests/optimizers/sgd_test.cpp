#include <keras/optimizers/sgd.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

using namespace keras;
using keras::testing::check_values;
using keras::testing::two_steps;

TEST_SUITE("training") {

TEST_CASE("SGD without momentum steps against the gradient") {
  optimizers::SGD sgd({.learning_rate = 0.1});
  const auto w = two_steps(sgd);
  // w1 = w - 0.1 g1 = [1 - 0.05, -2 + 0.1] = [0.95, -1.9]
  check_values(w.first, {0.95, -1.9});
  // w2 = w1 - 0.1 g2 = [0.95 - 0.025, -1.9 - 0.2] = [0.925, -2.1]
  check_values(w.second, {0.925, -2.1});
  CHECK(sgd.variables().size() == 2);  // iteration, learning_rate: no momentum slots
}

TEST_CASE("SGD with momentum accumulates a velocity") {
  optimizers::SGD sgd({.learning_rate = 0.1, .momentum = 0.9});
  const auto w = two_steps(sgd);
  // m1 = 0.9·0 - 0.1 g1 = [-0.05, 0.1];  w1 = w + m1 = [0.95, -1.9]
  check_values(w.first, {0.95, -1.9});
  // m2 = 0.9 m1 - 0.1 g2 = [-0.045 - 0.025, 0.09 - 0.2] = [-0.07, -0.11];  w2 = w1 + m2 = [0.88, -2.01]
  check_values(w.second, {0.88, -2.01});
  check_values(sgd.variables()[2].value(), {-0.07, -0.11});
  CHECK(sgd.variables()[2].name() == "w_momentum");
}

TEST_CASE("SGD with Nesterov momentum looks ahead along the velocity") {
  optimizers::SGD sgd({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
  const auto w = two_steps(sgd);
  // m1 = [-0.05, 0.1];  w1 = w + 0.9 m1 - 0.1 g1 = [1 - 0.045 - 0.05, -2 + 0.09 + 0.1] = [0.905, -1.81]
  check_values(w.first, {0.905, -1.81});
  // m2 = [-0.07, -0.11];  w2 = w1 + 0.9 m2 - 0.1 g2 = [0.905 - 0.063 - 0.025, -1.81 - 0.099 - 0.2]
  check_values(w.second, {0.817, -2.109});
}

TEST_CASE("SGD has Keras's defaults and config") {
  optimizers::SGD sgd;
  CHECK(sgd.name() == "SGD");
  CHECK(sgd.learning_rate() == doctest::Approx(0.01));
  const Config c = sgd.get_config();
  CHECK(c["momentum"] == 0.0);
  CHECK(c["nesterov"] == false);
  CHECK(c.back() == false);  // "nesterov" is the last key, after the base keys
  CHECK_THROWS_WITH_AS(optimizers::SGD({.momentum = 1.5}), doctest::Contains("momentum"), ValueError);
}

}  // TEST_SUITE
