#include <keras/optimizers/adagrad.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

using namespace keras;
using keras::testing::check_values;
using keras::testing::two_steps;

TEST_SUITE("training") {

TEST_CASE("Adagrad divides by the root of the summed squared gradients, starting at 0.1") {
  optimizers::Adagrad adagrad({.learning_rate = 0.1});
  const auto w = two_steps(adagrad);
  // a1 = 0.1 + g1² = [0.35, 1.1];  w1 = w - 0.1 g1/sqrt(a1 + 1e-7) = [1 - 0.05/0.591608063, -2 + 0.1/1.048808896]
  check_values(w.first, {0.915484587, -1.904653745});
  // a2 = a1 + g2² = [0.4125, 5.1];  w2 = w1 - 0.1 g2/sqrt(a2 + 1e-7) = [w1 - 0.025/0.642261707, w1 - 0.2/2.25831798]
  check_values(w.second, {0.876559644, -1.993215233});
  check_values(adagrad.variables()[2].value(), {0.4125, 5.1});
  CHECK(adagrad.variables()[2].name() == "w_accumulator");
}

TEST_CASE("Adagrad has Keras's defaults") {
  const Config c = optimizers::Adagrad().get_config();
  CHECK(c["name"] == "adagrad");
  CHECK(c["learning_rate"].get<double>() == doctest::Approx(0.001));
  CHECK(c["initial_accumulator_value"] == 0.1);
  CHECK(c["epsilon"] == 1e-7);
}

}  // TEST_SUITE
