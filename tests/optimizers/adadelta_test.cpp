#include <keras/optimizers/adadelta.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

using namespace keras;
using keras::testing::check_values;
using keras::testing::two_steps;

TEST_SUITE("training") {

TEST_CASE("Adadelta steps by the ratio of the running RMS of updates to that of gradients") {
  optimizers::Adadelta adadelta({.learning_rate = 1.0});
  const auto w = two_steps(adadelta);
  // E[g²]1 = 0.05 g1² = [0.0125, 0.05];  Δ1 = -sqrt(0 + 1e-7)·g1/sqrt(E[g²]1 + 1e-7)
  //   = [-0.000316228·0.5/0.111803847, 0.000316228/0.223607015] = [-0.001414208, 0.001414212];  w1 = w + Δ1
  check_values(w.first, {0.998585792, -1.998585788});
  // E[Δ²]1 = 0.05 Δ1² = [9.99992e-8, 9.99998e-8];  E[g²]2 = 0.95 E[g²]1 + 0.05 g2² = [0.015, 0.2475]
  //   Δ2 = -sqrt(E[Δ²]1 + 1e-7)·g2/sqrt(E[g²]2 + 1e-7) = [-0.000912866, -0.001797865];  w2 = w1 + Δ2
  check_values(w.second, {0.997672926, -2.000383653});
  std::vector<std::string> names;
  for (const Variable& v : adadelta.variables()) names.push_back(v.name());
  CHECK(names == std::vector<std::string>{"iteration", "learning_rate", "w_accumulated_grad", "w_accumulated_delta_var"});
}

TEST_CASE("Adadelta has Keras's defaults") {
  const Config c = optimizers::Adadelta().get_config();
  CHECK(c["name"] == "adadelta");
  CHECK(c["learning_rate"].get<double>() == doctest::Approx(0.001));
  CHECK(c["rho"] == 0.95);
  CHECK(c["epsilon"] == 1e-7);
}

}  // TEST_SUITE
