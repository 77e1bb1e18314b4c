#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("GaussianDropout is the identity at inference, through the layer harness") {
  keras::testing::run_layer_test([] { return layers::GaussianDropout(0.4, {.seed = 1}); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4}});
}

TEST_CASE("GaussianDropout multiplies by N(1, sqrt(rate / (1 - rate))) noise in training only") {
  layers::GaussianDropout dropout(0.2, {.seed = 6});
  const Tensor x = ops::full({200, 100}, 2.0);
  check_allclose(dropout(x), x);
  const Tensor factor = dropout(x, true) / 2.0;
  CHECK(ops::mean(factor).item<double>() == doctest::Approx(1.0).epsilon(0.01));
  CHECK(ops::std(factor).item<double>() == doctest::Approx(std::sqrt(0.2 / 0.8)).epsilon(0.02));
}

TEST_CASE("GaussianDropout with a seed repeats its sequence of draws") {
  const Tensor x = ops::ones({10, 10});
  layers::GaussianDropout a(0.5, {.seed = 8});
  layers::GaussianDropout b(0.5, {.seed = 8});
  const Tensor a1 = a(x, true), a2 = a(x, true);
  check_allclose(b(x, true), a1);
  check_allclose(b(x, true), a2);
  CHECK(ops::any(ops::not_equal(a1, a2)).item<bool>());
  check_allclose(layers::GaussianDropout(0.0)(x, true), x);
}

TEST_CASE("GaussianDropout requires rate in [0, 1], and rate 1 cannot train") {
  CHECK_THROWS_WITH_AS(layers::GaussianDropout(2.0), doctest::Contains("Invalid value received for argument `rate`. "
                                                                       "Expected a float value between 0 and 1. "
                                                                       "Received: rate=2.0"),
                       ValueError);
  layers::GaussianDropout one(1.0);
  check_allclose(one(ops::ones({2})), ops::ones({2}));
  CHECK_THROWS_WITH_AS(one(ops::ones({2}), true), doctest::Contains("infinite"), ValueError);
}

TEST_CASE("GaussianDropout config holds rate and seed, and round-trips") {
  layers::GaussianDropout dropout(0.1);
  const Config c = dropout.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "rate", "seed"});
  CHECK(c["seed"].is_null());
  CHECK(deserialize_layer(serialize_layer(dropout))->get_config().dump() == c.dump());
}

}  // TEST_SUITE
