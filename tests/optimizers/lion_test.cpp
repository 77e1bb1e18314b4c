#include <keras/optimizers/lion.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

using namespace keras;
using keras::testing::check_values;
using keras::testing::two_steps;

TEST_SUITE("training") {

TEST_CASE("Lion steps by the sign of an interpolated momentum") {
  optimizers::Lion lion({.learning_rate = 0.1});
  const auto w = two_steps(lion);
  // w1 = w - 0.1·sign(0.9·0 + 0.1 g1) = [1 - 0.1, -2 + 0.1];  m1 = 0.99·0 + 0.01 g1 = [0.005, -0.01]
  check_values(w.first, {0.9, -1.9});
  // w2 = w1 - 0.1·sign(0.9 m1 + 0.1 g2) = w1 - 0.1·sign([0.0295, 0.191]);  m2 = 0.99 m1 + 0.01 g2 = [0.00745, 0.0101]
  check_values(w.second, {0.8, -2.0});
  check_values(lion.variables()[2].value(), {0.00745, 0.0101});
}

TEST_CASE("Lion has Keras's defaults and rejects beta_1 outside (0, 1]") {
  const Config c = optimizers::Lion().get_config();
  CHECK(c["name"] == "lion");
  CHECK(c["learning_rate"].get<double>() == doctest::Approx(0.001));
  CHECK(c["beta_1"] == 0.9);
  CHECK(c["beta_2"] == 0.99);
  CHECK_THROWS_WITH_AS(optimizers::Lion({.beta_1 = 0.0}), doctest::Contains("beta_1"), ValueError);
}

}  // TEST_SUITE
