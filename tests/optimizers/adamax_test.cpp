#include <keras/optimizers/adamax.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

using namespace keras;
using keras::testing::check_values;
using keras::testing::two_steps;

TEST_SUITE("training") {

TEST_CASE("Adamax divides by a decaying infinity norm of the gradients") {
  optimizers::Adamax adamax({.learning_rate = 0.1});
  const auto w = two_steps(adamax);
  // m1 = 0.1 g1 = [0.05, -0.1], u1 = max(0, |g1|) = [0.5, 1];
  //   w1 = w - 0.1 m1/((1 - 0.9)(u1 + 1e-7)) = [1 - 0.005/0.05000001, -2 + 0.01/0.10000001]
  check_values(w.first, {0.900000020, -1.900000010});
  // m2 = 0.9 m1 + 0.1 g2 = [0.07, 0.11], u2 = max(0.999 u1, |g2|) = [0.4995, 2];
  //   w2 = w1 - 0.1 m2/((1 - 0.81)(u2 + 1e-7)) = [w1 - 0.007/0.094905019, w1 - 0.011/0.380000019]
  check_values(w.second, {0.826242066, -1.928947377});
  check_values(adamax.variables()[3].value(), {0.4995, 2.0});
  CHECK(adamax.variables()[3].name() == "w_norm");
}

TEST_CASE("Adamax has Keras's defaults") {
  const Config c = optimizers::Adamax().get_config();
  CHECK(c["name"] == "adamax");
  CHECK(c["beta_1"] == 0.9);
  CHECK(c["beta_2"] == 0.999);
  CHECK(c["epsilon"] == 1e-7);
}

}  // TEST_SUITE
