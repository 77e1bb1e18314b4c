#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/gradient_check.h"

#include <cmath>
#include <limits>

using namespace keras;
using keras::testing::check_allclose;

namespace {
// sum |w| = 10, sum w^2 = 30.
Tensor weights() { return Tensor::from_vector(std::vector<double>{1, -2, 3, -4}, {2, 2}); }
double value(const Tensor& t) { return t.to_vector<double>().at(0); }
}  // namespace

TEST_SUITE("layers") {

TEST_CASE("L1, L2 and L1L2 penalties are Keras's sums") {
  CHECK(value(Regularizer(regularizers::L1({.l1 = 0.1}))(weights())) == doctest::Approx(1.0));
  CHECK(value(Regularizer(regularizers::L2({.l2 = 0.1}))(weights())) == doctest::Approx(3.0));
  CHECK(value(Regularizer(regularizers::L1L2({.l1 = 0.1, .l2 = 0.2}))(weights())) == doctest::Approx(1.0 + 6.0));
  CHECK(value(Regularizer(regularizers::L1L2())(weights())) == doctest::Approx(0.0));
  const Tensor penalty = Regularizer("l2")(weights());
  CHECK(penalty.rank() == 0);
  CHECK(penalty.dtype() == DType::float64);
}

TEST_CASE("Regularizer names and defaults follow Keras") {
  // "l1"/"l2" default to 0.01; the documented "l1_l2" string uses 0.01 for both; "l1l2" (the name
  // keras.regularizers.get actually knows) is L1L2() with both factors 0.
  CHECK(Regularizer("l1").to_config()["config"].dump() == R"({"l1":0.01})");
  CHECK(Regularizer("l2").to_config()["config"].dump() == R"({"l2":0.01})");
  CHECK(Regularizer("l1_l2").to_config()["config"].dump() == R"({"l1":0.01,"l2":0.01})");
  CHECK(Regularizer("l1l2").to_config()["config"].dump() == R"({"l1":0.0,"l2":0.0})");
  CHECK(Regularizer("L1").to_config()["class_name"] == "L1");
  CHECK(Regularizer("L1L2").to_config()["class_name"] == "L1L2");
  CHECK(value(Regularizer("l1")(weights())) == doctest::Approx(0.1));
  CHECK(value(Regularizer("l1_l2")(weights())) == doctest::Approx(0.1 + 0.3));
  CHECK_FALSE(Regularizer());
  CHECK_FALSE(Regularizer(nullptr));
  CHECK(Regularizer("l2"));
}

TEST_CASE("Regularizer configs are Keras 3 object dicts and round-trip") {
  const Regularizer r = regularizers::L1L2({.l1 = 0.5, .l2 = 0.25});
  const Config object = r.to_config();
  CHECK(object.dump() ==
        R"({"module":"keras.regularizers","class_name":"L1L2","config":{"l1":0.5,"l2":0.25},"registered_name":null})");
  CHECK(Regularizer::from_config(object).to_config().dump() == object.dump());
  CHECK(Regularizer().to_config().is_null());
  CHECK_FALSE(Regularizer::from_config(Config(nullptr)));
  CHECK(Regularizer::from_config(Config("l2")).to_config()["class_name"] == "L2");
  // Keras 2 form, without module.
  CHECK(Regularizer::from_config(Config::parse(R"({"class_name": "L2", "config": {"l2": 0.003}})"))
            .to_config()["config"]["l2"] == 0.003);
}

TEST_CASE("Regularizers reject negative or non-finite factors and unknown names") {
  CHECK_THROWS_WITH_AS(regularizers::L1({.l1 = -0.1}), doctest::Contains("non-negative"), ValueError);
  CHECK_THROWS_WITH_AS(regularizers::L2({.l2 = std::numeric_limits<double>::quiet_NaN()}),
                       doctest::Contains("non-negative"), ValueError);
  CHECK_THROWS_WITH_AS(regularizers::L1L2({.l1 = 0.1, .l2 = -1.0}), doctest::Contains("non-negative"), ValueError);
  CHECK_THROWS_WITH_AS(Regularizer("l3"), doctest::Contains("Unknown regularizer: 'l3'"), ValueError);
  CHECK_THROWS_WITH_AS(Regularizer()(weights()), doctest::Contains("empty"), ValueError);
}

TEST_CASE("A kernel regularizer adds its penalty to the layer's losses") {
  // Keras's Regularizer docstring example: Dense(5) with an all-ones kernel and L1(0.01): 0.25.
  layers::Dense dense(5, {.kernel_initializer = "ones", .kernel_regularizer = regularizers::L1({.l1 = 0.01})});
  dense(ops::ones({5, 5}) * 2.0);
  const Tensors losses = dense.losses();
  REQUIRE(losses.size() == 1);
  CHECK(value(losses[0]) == doctest::Approx(0.25));
  // The penalty follows the kernel's current value.
  dense.set_weights({ops::full({5, 5}, -2.0), ops::zeros({5})});
  CHECK(value(dense.losses()[0]) == doctest::Approx(0.01 * 50.0));
}

}  // TEST_SUITE
