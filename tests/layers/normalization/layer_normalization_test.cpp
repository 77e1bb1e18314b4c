#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("LayerNormalization passes the layer checks on the last axis") {
  keras::testing::run_layer_test([] { return layers::LayerNormalization(); },
                                 {.input_shapes = {{3, 4}}, .expected_output_shape = Shape{3, 4},
                                  .expected_num_trainable_weights = 2});
}

TEST_CASE("LayerNormalization passes the layer checks over axes {1, 2} and over axis 1 of three") {
  keras::testing::run_layer_test([] { return layers::LayerNormalization({.axis = {1, 2}}); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4},
                                  .expected_num_trainable_weights = 2});
  keras::testing::run_layer_test([] { return layers::LayerNormalization({.axis = 1}); },
                                 {.input_shapes = {{2, 3, 2}}, .expected_output_shape = Shape{2, 3, 2},
                                  .expected_num_trainable_weights = 2});
}

TEST_CASE("LayerNormalization with rms_scaling has gamma only; without center and scale, no weights") {
  keras::testing::run_layer_test([] { return layers::LayerNormalization({.rms_scaling = true}); },
                                 {.input_shapes = {{3, 4}}, .expected_output_shape = Shape{3, 4},
                                  .expected_num_trainable_weights = 1});
  keras::testing::run_layer_test([] { return layers::LayerNormalization({.center = false, .scale = false}); },
                                 {.input_shapes = {{3, 4}}, .expected_output_shape = Shape{3, 4}});
}

TEST_CASE("LayerNormalization normalizes each sample by its own statistics") {
  layers::LayerNormalization ln({.beta_initializer = initializers::Constant({.value = 1.0}),
                                 .gamma_initializer = initializers::Constant({.value = 2.0})});
  // row 0: mean 2.75, variance 2.1875; row 1: constant, so it maps to beta.
  const Tensor x({1.f, 2.f, 3.f, 5.f, 4.f, 4.f, 4.f, 4.f}, {2, 4});
  const Tensor y = ln(x);
  const float k = 2.f / std::sqrt(2.1875f + 1e-3f);
  check_allclose(y, Tensor({1 - 1.75f * k, 1 - 0.75f * k, 1 + 0.25f * k, 1 + 2.25f * k, 1.f, 1.f, 1.f, 1.f}, {2, 4}),
                 1e-5, 1e-6);
  CHECK(ln.gamma().shape() == Shape{4});
  layers::LayerNormalization rms({.rms_scaling = true});
  const float r = 1.f / std::sqrt(2.1875f + 1e-3f);
  check_allclose(rms(Tensor({1.f, 2.f, 3.f, 5.f}, {1, 4})), Tensor({r, 2 * r, 3 * r, 5 * r}, {1, 4}), 1e-5, 1e-6);
}

TEST_CASE("LayerNormalization over several axes gives gamma those axes' shape") {
  layers::LayerNormalization ln({.axis = {1, 2}, .epsilon = 1e-7});
  const Tensor x = random::uniform({2, 3, 4}, {.seed = 3});
  const Tensor y = ln(x);
  CHECK(ln.gamma().shape() == Shape{3, 4});
  auto [m, v] = ops::moments(y, {1, 2});
  check_allclose(m, ops::zeros({2}), 0, 1e-5);
  check_allclose(v, ops::ones({2}), 1e-2, 0);
}

TEST_CASE("LayerNormalization's config has Keras's keys; a built layer writes its axis as a list") {
  layers::LayerNormalization ln({.epsilon = 1e-5, .center = false});
  Config c = ln.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "axis", "epsilon", "center", "scale",
                                         "rms_scaling", "beta_initializer", "gamma_initializer", "beta_regularizer",
                                         "gamma_regularizer", "beta_constraint", "gamma_constraint"});
  CHECK(c["axis"] == -1);
  ln(ops::ones({2, 3}));
  CHECK(ln.get_config()["axis"] == Config::array({-1}));
  auto copy = layers::LayerNormalization::from_config(ln.get_config());
  CHECK(copy->get_config()["axis"] == Config::array({-1}));
  CHECK(copy->get_config()["epsilon"] == 1e-5);
}

TEST_CASE("LayerNormalization rejects an axis outside the input") {
  layers::LayerNormalization ln({.axis = 2});
  CHECK_THROWS_WITH_AS(ln(ops::ones({2, 3})), doctest::Contains("Axis 2 is out of bounds for input shape (2, 3)"),
                       ValueError);
  CHECK_THROWS_AS(layers::LayerNormalization({.axis = std::nullopt}), ValueError);
}

}  // TEST_SUITE
