#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("GaussianNoise is the identity at inference, through the layer harness") {
  keras::testing::run_layer_test([] { return layers::GaussianNoise(0.5, {.seed = 1}); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4}});
}

TEST_CASE("GaussianNoise adds zero-mean noise of the given stddev in training only") {
  layers::GaussianNoise noise(0.2, {.seed = 4});
  const Tensor x = ops::full({200, 100}, 3.0);
  check_allclose(noise(x), x);
  const Tensor y = noise(x, true);
  const Tensor d = y - x;
  CHECK(ops::mean(d).item<double>() == doctest::Approx(0.0).epsilon(0.01));  // std of the mean: 0.0014
  CHECK(ops::std(d).item<double>() == doctest::Approx(0.2).epsilon(0.02));
  GradientTape tape;
  tape.watch(x);
  const Tensor g = tape.gradient(ops::sum(noise(x, true)), x);
  check_allclose(g, ops::ones({200, 100}));  // additive noise: the gradient is 1
}

TEST_CASE("GaussianNoise with a seed repeats its sequence of draws") {
  const Tensor x = ops::zeros({10, 10});
  layers::GaussianNoise a(0.1, {.seed = 8});
  layers::GaussianNoise b(0.1, {.seed = 8});
  const Tensor a1 = a(x, true), a2 = a(x, true);
  check_allclose(b(x, true), a1);
  check_allclose(b(x, true), a2);
  CHECK(ops::any(ops::not_equal(a1, a2)).item<bool>());
  check_allclose(layers::GaussianNoise(0.0)(x, true), x);
}

TEST_CASE("GaussianNoise requires stddev in [0, 1], as Keras") {
  CHECK_THROWS_WITH_AS(layers::GaussianNoise(1.5), doctest::Contains("Invalid value received for argument `stddev`. "
                                                                     "Expected a float value between 0 and 1. "
                                                                     "Received: stddev=1.5"),
                       ValueError);
  CHECK_THROWS_AS(layers::GaussianNoise(-0.5), ValueError);
}

TEST_CASE("GaussianNoise config holds stddev and seed, and round-trips") {
  layers::GaussianNoise noise(0.3, {.seed = 2, .name = "gn"});
  const Config c = noise.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "stddev", "seed"});
  CHECK(c["stddev"].get<double>() == 0.3);
  CHECK(c["seed"] == 2);
  CHECK(deserialize_layer(serialize_layer(noise))->get_config().dump() == c.dump());
}

}  // TEST_SUITE
