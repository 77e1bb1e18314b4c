#include <keras/optimizers/nadam.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

using namespace keras;
using keras::testing::check_values;
using keras::testing::two_steps;

TEST_SUITE("training") {

TEST_CASE("Nadam follows Keras's momentum-cache formulation") {
  optimizers::Nadam nadam({.learning_rate = 0.1});
  const auto w = two_steps(nadam);
  // u_t = 0.9(1 - 0.5·0.96^t): u1 = 0.468, u2 = 0.48528, u3 = 0.5018688; the product after step 1: 0.468
  // t = 1: m = [0.05, -0.1], v = [0.00025, 0.001];
  //   m̂ = u2·m/(1 - 0.468·u2) + (1 - u1)·g1/(1 - 0.468) = [0.531393902, -1.062787803];  v̂ = v/(1 - 0.999) = [0.25, 1]
  //   w1 = w - 0.1 m̂/(sqrt(v̂) + 1e-7) = [1 - 0.053139390/0.5000001, -2 + 0.106278780/1.0000001]
  check_values(w.first, {0.893721241, -1.893721230});
  // t = 2: product 0.22711104; m = [0.07, 0.11], v = [0.00031225, 0.004999];
  //   m̂ = u3·m/(1 - 0.22711104·u3) + (1 - u2)·g2/(1 - 0.22711104) = [0.206142358, 1.394245130]
  //   v̂ = v/(1 - 0.999²) = [0.156203102, 2.500750375];  w2 = w1 - 0.1 m̂/(sqrt(v̂) + 1e-7)
  check_values(w.second, {0.841563076, -1.981887799});
  const auto vars = nadam.variables();
  REQUIRE(vars.size() == 5);  // iteration, learning_rate, w_momentum, w_velocity, then u_product
  check_values(vars[4].value(), {0.22711104});
}

TEST_CASE("Nadam copies made before build share its state") {
  optimizers::Nadam nadam({.learning_rate = 0.1});
  optimizers::Nadam copy = nadam;
  Variable w(Tensor({1.f, -2.f}), {.name = "w"});
  copy.apply_gradients({Tensor({0.5f, -1.f})}, {w});
  CHECK(nadam.iterations() == 1);
  check_values(nadam.variables()[4].value(), {0.468});
  nadam.apply_gradients({Tensor({0.25f, 2.f})}, {w});
  check_values(w.value(), {0.841563076, -1.981887799});
}

}  // TEST_SUITE
