#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/gradient_check.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;

namespace {
// Column norms 5 and sqrt(0.5); row norms sqrt(9.25) and sqrt(16.25).
Tensor matrix() { return Tensor::from_vector(std::vector<double>{3, 0.5, 4, 0.5}, {2, 2}); }
Tensor tensor(std::vector<double> values, Shape shape) { return Tensor::from_vector(values, shape); }
constexpr double kEps = 1e-7;  // keras.config.epsilon(), added to the norms
}  // namespace

TEST_SUITE("layers") {

TEST_CASE("MaxNorm rescales the slices whose norm exceeds max_value, along its axis") {
  // axis 0 (Keras's default, a Dense kernel's columns): the first column goes from norm 5 to 2.
  const double c = std::sqrt(0.5);
  check_allclose(Constraint(constraints::MaxNorm({.max_value = 2.0}))(matrix()),
                 tensor({3 * 2 / (5 + kEps), 0.5 * c / (c + kEps), 4 * 2 / (5 + kEps), 0.5 * c / (c + kEps)}, {2, 2}),
                 1e-12, 1e-12);
  // axis 1: both rows are longer than 2.
  const double r0 = std::sqrt(9.25), r1 = std::sqrt(16.25);
  check_allclose(Constraint(constraints::MaxNorm({.max_value = 2.0, .axis = 1}))(matrix()),
                 tensor({3 * 2 / (r0 + kEps), 0.5 * 2 / (r0 + kEps), 4 * 2 / (r1 + kEps), 0.5 * 2 / (r1 + kEps)}, {2, 2}),
                 1e-12, 1e-12);
  // A conv-like kernel (kh, kw, in, out) constrained along the output axis: each filter's values
  // over the last axis are scaled together.
  const Tensor kernel = ops::full({2, 2, 1, 3}, 2.0, DType::float64);  // norm over axis 3: sqrt(12)
  const Tensor out = Constraint(constraints::MaxNorm({.max_value = 1.0, .axis = 3}))(kernel);
  check_allclose(out, ops::full({2, 2, 1, 3}, 2.0 / (std::sqrt(12.0) + kEps), DType::float64), 1e-12, 1e-12);
}

TEST_CASE("NonNeg zeroes negative weights") {
  check_allclose(Constraint("non_neg")(tensor({-1, 2, 0, -3}, {2, 2})), tensor({0, 2, 0, 0}, {2, 2}));
}

TEST_CASE("UnitNorm divides each slice by its norm") {
  const Tensor w = matrix();
  const double c = std::sqrt(0.5);
  check_allclose(Constraint("unit_norm")(w), tensor({3 / (5 + kEps), 0.5 / (c + kEps), 4 / (5 + kEps), 0.5 / (c + kEps)}, {2, 2}),
                 1e-12, 1e-12);
  const Tensor rows = Constraint(constraints::UnitNorm({.axis = 1}))(w);
  const auto v = rows.to_vector<double>();
  CHECK(v[0] * v[0] + v[1] * v[1] == doctest::Approx(1.0));
  CHECK(v[2] * v[2] + v[3] * v[3] == doctest::Approx(1.0));
}

TEST_CASE("MinMaxNorm clips slice norms into [min_value, max_value], blended by rate") {
  const double c = std::sqrt(0.5);
  // Column norms 5 -> 2 and 0.707 -> 1.
  check_allclose(Constraint(constraints::MinMaxNorm({.min_value = 1.0, .max_value = 2.0}))(matrix()),
                 tensor({3 * 2 / (5 + kEps), 0.5 * 1 / (c + kEps), 4 * 2 / (5 + kEps), 0.5 * 1 / (c + kEps)}, {2, 2}),
                 1e-12, 1e-12);
  // rate 0.5: desired = 0.5 * clipped + 0.5 * norm -> 3.5 and (1 + 0.707) / 2.
  const double d1 = 0.5 * 1 + 0.5 * c;
  check_allclose(Constraint(constraints::MinMaxNorm({.min_value = 1.0, .max_value = 2.0, .rate = 0.5}))(matrix()),
                 tensor({3 * 3.5 / (5 + kEps), 0.5 * d1 / (c + kEps), 4 * 3.5 / (5 + kEps), 0.5 * d1 / (c + kEps)}, {2, 2}),
                 1e-12, 1e-12);
}

TEST_CASE("Constraint names, defaults and configs follow Keras") {
  CHECK(Constraint("max_norm").to_config()["config"].dump() == R"({"max_value":2.0,"axis":0})");
  CHECK(Constraint("min_max_norm").to_config()["config"].dump() == R"({"min_value":0.0,"max_value":1.0,"rate":1.0,"axis":0})");
  CHECK(Constraint("unit_norm").to_config()["config"].dump() == R"({"axis":0})");
  CHECK(Constraint("non_neg").to_config()["config"].dump() == "{}");
  CHECK(Constraint("MaxNorm").to_config()["class_name"] == "MaxNorm");
  const Config object = Constraint(constraints::MaxNorm({.max_value = 3.0, .axis = 1})).to_config();
  CHECK(object.dump() ==
        R"({"module":"keras.constraints","class_name":"MaxNorm","config":{"max_value":3.0,"axis":1},"registered_name":null})");
  CHECK(Constraint::from_config(object).to_config().dump() == object.dump());
  CHECK(Constraint().to_config().is_null());
  CHECK_FALSE(Constraint::from_config(Config(nullptr)));
  // Keras writes integer max_value and may write the axis as a one-element list.
  const Constraint keras_written = Constraint::from_config(
      Config::parse(R"({"class_name": "MaxNorm", "config": {"max_value": 2, "axis": [0]}})"));
  CHECK(keras_written.to_config()["config"].dump() == R"({"max_value":2.0,"axis":0})");
  CHECK_THROWS_WITH_AS(Constraint::from_config(Config::parse(R"({"class_name": "MaxNorm", "config": {"axis": [0, 1, 2]}})")),
                       doctest::Contains("single axis"), NotImplementedError);
  CHECK_THROWS_WITH_AS(Constraint("max_nrm"), doctest::Contains("Unknown constraint: 'max_nrm'"), ValueError);
}

TEST_CASE("A layer's weight constraint is attached to its variable") {
  layers::Dense dense(2, {.kernel_initializer = "ones", .kernel_constraint = "non_neg"});
  dense(ops::ones({1, 3}));
  const auto& project = dense.kernel().constraint();
  REQUIRE(project);
  check_allclose(project(tensor({-1, 1, 2, -2, 0, 3}, {3, 2})), tensor({0, 1, 2, 0, 0, 3}, {3, 2}));
  CHECK_FALSE(dense.bias().constraint());
}

}  // TEST_SUITE
